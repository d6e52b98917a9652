"""The voices compared: how fast they render, how fast they speak, and how well a listener
(Whisper) makes out what they say.

For each engine, every routine of config.yaml is rendered from an empty cache on one core:
the time to render against the length of what was rendered (the real-time factor), the
first sentence, the pause and help routines (what is rendered before "listening"), the
pace while speaking against ``voice.rate``, and the word error of Whisper tiny.en's plain
transcript of each routine against its text.

    .venv/bin/python scripts/bench_speech.py                 # both engines
    .venv/bin/python scripts/bench_speech.py --engines piper --no-words
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import settings as config_module  # noqa: E402
from assistant.hearing.phonetic import edit_distance  # noqa: E402
from assistant.sound import IN_RATE, OUT_RATE  # noqa: E402
from assistant.sound.files import resample  # noqa: E402
from assistant.speaking.routines import render  # noqa: E402
from assistant.speaking.voice import Voice, words_a_minute  # noqa: E402

NOW = dt.datetime(2026, 11, 28, 10, 0)


def plain_words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def transcribe(model, sound: np.ndarray) -> str:
    audio = resample(sound, OUT_RATE, IN_RATE).astype(np.float32)
    segments, _ = model.transcribe(audio, language="en", beam_size=1,
                                   condition_on_previous_text=False)
    return " ".join(s.text for s in segments)


def measure(engine: str, config, model) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        voice = Voice(rate=config.rate, synthesiser="piper" if engine == "piper" else "espeak-ng",
                      cache=Path(cache))
        began = time.perf_counter()
        voice.say("Okay.")  # the worker started and the voice loaded
        load = time.perf_counter() - began
        began = time.perf_counter()
        first = voice.say(config.scripts["pause"][0].say)
        first_s = time.perf_counter() - began
        began = time.perf_counter()
        urgent = [render(name, config, voice, now=NOW) for name in ("pause", "help")]
        urgent_s = time.perf_counter() - began + first_s
        began = time.perf_counter()
        rest = [render(name, config, voice, now=NOW) for name in config.routines
                if name not in ("pause", "help")]
        rest_s = time.perf_counter() - began
        texts = [t for t in voice.said if not t.startswith("[clear] ")]
        spoken = sum(len(voice.say(t)) for t in voice.said) / OUT_RATE
        result = {
            "engine": voice.engine, "rate": config.rate, "load_s": round(load, 2),
            "first_sentence_s": round(first_s, 2), "first_sentence_audio_s":
                round(len(first) / OUT_RATE, 2),
            "pause_and_help_s": round(urgent_s, 1),
            "all_routines_s": round(urgent_s + rest_s, 1), "speech_s": round(spoken, 1),
            "real_time_factor": round((urgent_s + rest_s) / spoken, 3),
            "words_a_minute": round(words_a_minute(voice, texts), 1),
        }
        if model is not None:
            errors = words = 0
            for program in urgent + rest:
                said = plain_words(" ".join(m.text for m in program.marks))
                heard = plain_words(transcribe(model, program.sound))
                errors += edit_distance(said, heard)
                words += len(said)
            result["word_error"] = round(errors / words, 3)
        voice.close()
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=Path(__file__).resolve().parent.parent / "config.yaml")
    parser.add_argument("--engines", default="piper,espeak")
    parser.add_argument("--no-words", action="store_true", help="skip the Whisper transcripts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    config = config_module.load(args.config)[0]
    model = None
    if not args.no_words:
        from assistant.hearing.whisper import Transcriber
        model = Transcriber().model
    results = [measure(engine, config, model) for engine in args.engines.split(",")]
    for r in results:
        print(json.dumps(r) if args.json else "  ".join(f"{k}={v}" for k, v in r.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
