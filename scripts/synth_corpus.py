#!/usr/bin/env python3
"""Make a synthetic trigger-word corpus: many voices, rates, noises, alone and in sentences.

    .venv/bin/python scripts/synth_corpus.py --words stop,go,... --out bench-out/synth

Writes WORD/*.wav clips (16 kHz mono), ``labels.json`` (where each word ends in
each clip) and ``continuous/*.wav``: at least ``--minutes`` of ordinary speech
that holds none of the words, including every script in config.yaml, for
false triggers per hour. Noise is made here: pink noise and a babble of
several synthesised voices, mixed at 20, 10 and 5 dB SNR.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.learning.augment import pink  # noqa: E402
from assistant.learning.speakers import speak  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import write_wav  # noqa: E402
from tests.support.analysis import speech_end  # noqa: E402

FLITE = [("flite", v) for v in ("slt", "rms", "awb", "kal16")]
ESPEAK = [("espeak", v) for v in ("en-us", "en", "en-gb-scotland", "en-us+f3")]
RATES = (0.8, 1.0, 1.25)  # relative speaking rate (1.0 = the voice's own)
SNRS = (None, 20, 10, 5)
CARRIERS = ("well then, {w}, thank you", "I think I should say {w} just now", "{w} please")

TEXT = """
The weather was mild this afternoon, so we walked along the river and talked about the garden.
Later we watched a film about a lighthouse keeper and his dog.
She said the bus would be late again, so we waited by the bakery and shared a warm loaf of bread.
My brother is painting the kitchen a pale green colour before his friends arrive on Friday.
Please remember to water the plants and feed the cat before you leave in the morning.
The library closes early on Saturdays, but the museum is open until eight in the evening.
I think the meeting went well, although nobody agreed about the budget for next year.
We should call the plumber about the leaking tap in the bathroom.
Can you pass the salt, and maybe the pepper too?
The children played football in the park until it got dark, then came home hungry and tired.
There is a small cafe near the station that makes the best soup in town.
He spent the whole weekend fixing his bicycle and cleaning the shed.
The train was quiet, and the fields outside were covered in a thin layer of frost.
Our neighbour has a garden full of roses, and she gives us some every summer.
It rained all morning, but by lunch the sun was shining and the streets were drying.
The doctor said the results were fine and there was nothing to worry about.
We bought apples, carrots, a bag of rice and some fresh bread at the market.
The old clock in the hall chimes every hour, even in the middle of the night.
My sister sent a postcard from the seaside with a picture of a lighthouse.
I like the sound of the kettle in the morning and the smell of coffee.
The cat sleeps on the windowsill whenever the sun comes through the glass.
They are planning a trip to the mountains in the spring, when the snow has melted.
Tell me about your day, and what you had for dinner.
The bookshop has a comfortable chair in the corner where you can read for hours.
We watched the birds at the feeder, mostly sparrows and a few blue tits.
The radio played old songs while we cooked pasta with tomato sauce.
In the evening the street lights come on one by one along the avenue.
Her grandmother taught her to knit when she was seven years old.
The swimming pool is busy on weekdays after school, so we usually visit at the weekend.
A gentle wind moved the curtains, and the room smelled of fresh laundry.
"""


def words_in(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    loud = speech[np.abs(speech) > 0.02 * np.abs(speech).max()]
    power = float(np.mean(loud ** 2))
    n = noise[:len(speech)]
    n = n * np.sqrt(power / 10 ** (snr_db / 10) / (np.mean(n ** 2) + 1e-12))
    out = speech + n
    return (out / max(1.0, np.abs(out).max())).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--words", required=True, help="comma-separated trigger words or phrases")
    p.add_argument("--out", type=Path, default=ROOT / "bench-out" / "synth")
    p.add_argument("--minutes", type=float, default=30.0, help="continuous non-trigger speech")
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    words = [w.strip().lower() for w in args.words.split(",") if w.strip()]
    banned = {t for w in words for t in w.split()}
    rng = np.random.default_rng(args.seed)
    voices = FLITE + ESPEAK
    labels: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        # Babble: three voices reading ordinary text at once.
        babble = sum(speak(e, v, TEXT, 1.0, None, tmp)[:IN_RATE * 60] for e, v in voices[1:8:3])
        noises = [pink(IN_RATE * 60, rng), babble / np.std(babble)]
        for word in words:
            folder = args.out / word.replace(" ", "_")
            folder.mkdir(parents=True, exist_ok=True)
            for engine, voice in voices:
                for rate in RATES:
                    for c, carrier in enumerate(("{w}",) + CARRIERS[:1]):
                        text = carrier.format(w=word)
                        clean = np.concatenate([np.zeros(IN_RATE // 2, np.float32),
                                                speak(engine, voice, text, rate, None, tmp),
                                                np.zeros(IN_RATE // 2, np.float32)])
                        for snr in SNRS:
                            noisy = clean if snr is None else mix(
                                clean, noises[int(rng.integers(2))][
                                    int(rng.integers(IN_RATE * 20)):], snr)
                            name = f"{engine}-{voice.replace('+', '_')}-r{rate}-c{c}-" \
                                   f"{'clean' if snr is None else f'snr{snr}'}.wav"
                            write_wav(folder / name, noisy, IN_RATE)
                            labels[f"{folder.name}/{name}"] = {
                                "word": word, "snr": snr, "context": "alone" if c == 0
                                else "sentence", "voice": f"{engine}:{voice}", "rate": rate,
                                "end": speech_end(clean) if c == 0 else None}
        # Continuous ordinary speech for false triggers per hour.
        config, _ = config_module.load(args.config)
        scripts = [s.say for steps in config.scripts.values() for s in steps]
        scripts += list(config.reminders) + [config.breathing.intro, config.breathing.outro]
        sentences = [s.strip() for s in TEXT.strip().splitlines() + scripts if s.strip()]
        sentences = [s for s in sentences if not words_in(s.replace("{", " ")) & banned]
        cont = args.out / "continuous"
        cont.mkdir(parents=True, exist_ok=True)
        total, k = 0.0, 0
        while total < args.minutes * 60:
            engine, voice = voices[k % len(voices)]
            rate = RATES[(k // len(voices)) % len(RATES)]
            order = rng.permutation(len(sentences))
            text = " ".join(sentences[i] for i in order).replace("{", "").replace("}", "")
            audio = speak(engine, voice, text, rate, None, tmp)
            if k % 2:
                audio = mix(audio, noises[k % 2][:len(audio)] if len(audio) <= len(noises[0])
                            else np.resize(noises[k % 2], len(audio)), 20)
            write_wav(cont / f"{k:02d}-{engine}-{voice.replace('+', '_')}-r{rate}.wav",
                      audio, IN_RATE)
            total += len(audio) / IN_RATE
            k += 1
    (args.out / "labels.json").write_text(json.dumps(labels, indent=1))
    print(f"{len(labels)} clips of {len(words)} words and {total / 60:.1f} minutes of "
          f"continuous speech in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
