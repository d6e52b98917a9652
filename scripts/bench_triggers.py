#!/usr/bin/env python3
"""Trigger accuracy: detection, false triggers, real-time factor and delay, per word.

    .venv/bin/python scripts/bench_triggers.py                      # ../shared/speech, ten words
    .venv/bin/python scripts/bench_triggers.py --clips ../shared/speech/keywords \
        --words alexa,computer,jarvis --with-shipped --continuous ../shared/speech/continuous
    .venv/bin/python scripts/bench_triggers.py --clips ../shared/speech/keywords \
        --words alexa,computer,jarvis --snr 10
    .venv/bin/python scripts/bench_triggers.py --clips bench-out/synth --json

The clips folder holds one sub-folder per spoken word (16 kHz mono WAV). The
trigger words are configured as phrases of the assistant, spread over its
intents, and every clip goes through the same streaming path as `run` and
`detect`. A ``continuous/`` folder (see synth_corpus.py) gives false triggers
per hour (or ``--continuous DIR``: every detection in its long WAVs is false); a
``labels.json`` gives where each word ends and its noise level. ``--snr`` mixes noise into
every clip at that signal-to-noise ratio: pink noise; ``--noise real``, recorded household
and street noise from ``../shared/speech/noise/``; ``--noise own``, the assistant's own
routines, as what is left of its voice after the echo canceller; or ``--noise babble``,
another reader of the continuous recordings talking underneath. Only detections the assistant
acts on count (``heard``); a first stage's candidates that a second stage turns down do not.

The long recordings can be heard three ways (``--negatives``): whole, as read; ``short``, cut
at their pauses into utterances of at most three seconds, each on its own between stretches of
quiet, the way a conversation or a television's dialogue comes (where the hinted re-check of
short utterances runs); or ``babble``, three readers at once, each cut the same way, as a room
with several people talking. ``scripts/bench_room.py`` runs all of it over noise levels and
sensitivities.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.hearing import twostage  # noqa: E402
from assistant.hearing.base import detect_samples, distinct  # noqa: E402
from assistant.learning.augment import pink  # noqa: E402
from assistant.learning.enroll import TakeError, trim  # noqa: E402
from assistant.learning.learn import load_or_train  # noqa: E402
from assistant.recognisers import ear_phrases, make_recogniser  # noqa: E402
from assistant.settings import INTENTS  # noqa: E402
from assistant.sound import IN_RATE, OUT_RATE  # noqa: E402
from assistant.sound.files import read_wav, resample, to_int16  # noqa: E402
from assistant.speaking.routines import render  # noqa: E402
from assistant.speaking.voice import Voice  # noqa: E402
from tests.support.analysis import speech_end  # noqa: E402
from tests.support.corpus import HELD_OUT  # noqa: E402

TEN = "yes,no,up,down,left,right,on,off,stop,go"
SHARED = ROOT.parent / "shared" / "speech" / "speech_commands_v0.01"
#: Real background noise (kitchens, streets, cafés; CC BY 4.0, its LICENSE beside it).
REAL_NOISE = ROOT.parent / "shared" / "speech" / "noise"


class Timed:
    """Runs clips through a recogniser and keeps processing time and audio time."""

    def __init__(self, recogniser):
        self.recogniser, self.cpu, self.audio = recogniser, 0.0, 0.0

    def __call__(self, samples: np.ndarray) -> list:
        r = self.recogniser.fresh()
        started = time.process_time()
        found = detect_samples(r, to_int16(samples), chunk=320)
        self.cpu += time.process_time() - started
        self.audio += len(samples) / IN_RATE + 0.5
        return distinct(found)


class Noise:
    """Noise to mix under clips at a given SNR: pink, or real speech from long recordings."""

    def __init__(self, kind: str, snr: float, continuous: Path, config, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.snr = snr
        if kind == "own":
            voice = Voice(rate=config.rate, volume=config.volume, voice=config.voice)
            self.source = np.concatenate([resample(render(name, config, voice).sound,
                                                   OUT_RATE, IN_RATE)
                                          for name in ("body_scan", "ground")])
        elif kind == "real":  # a home's and a street's sounds, one second each, shuffled
            files = sorted(REAL_NOISE.glob("*.wav"))
            if not files:
                raise SystemExit(f"--noise real needs the recordings in {REAL_NOISE}.")
            self.rng.shuffle(files)
            self.source = np.concatenate([read_wav(f) for f in files])
        elif kind == "babble":
            files = sorted(continuous.glob("*.wav"))
            if not files:
                raise SystemExit(f"--noise babble needs long WAVs in {continuous}.")
            self.source = np.concatenate([read_wav(f)[:IN_RATE * 300] for f in files])
        else:
            self.source = pink(IN_RATE * 120, self.rng)

    def __call__(self, clip: np.ndarray) -> np.ndarray:
        start = int(self.rng.integers(len(self.source) - len(clip)))
        noise = self.source[start:start + len(clip)].astype(np.float64)
        loud = clip[np.abs(clip) > 0.1 * np.abs(clip).max()] if clip.any() else clip
        power = float(np.mean(loud.astype(np.float64) ** 2)) if len(loud) else 1e-6
        noise *= np.sqrt(power / 10 ** (self.snr / 10) / (np.mean(noise ** 2) + 1e-12))
        return np.clip(clip + noise, -1.0, 1.0).astype(np.float32)


def background(clip: np.ndarray, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """``seconds`` of the clip's own quiet before it: noise at the level of its quietest
    tenth of 10 ms blocks (a room where nobody has spoken for a while)."""
    blocks = clip[:len(clip) // 160 * 160].astype(np.float64).reshape(-1, 160)
    level = float(np.percentile(np.sqrt((blocks ** 2).mean(axis=1)), 10)) if len(blocks) else 0
    return rng.normal(0, level, int(seconds * IN_RATE)).astype(np.float32)


def utterances(samples: np.ndarray, *, longest: float = 3.0, pause: float = 0.25) -> list:
    """The stretches of speech in ``samples`` (16 kHz) between pauses of at least ``pause``
    seconds, the ones no longer than ``longest``: 20 ms frames within 30 dB of the loud ones
    (and above -80 dBFS) are speech."""
    n = IN_RATE // 50
    frames = samples[:len(samples) // n * n].astype(np.float64).reshape(-1, n)
    level = np.sqrt((frames ** 2).mean(axis=1)) + 1e-9
    speech = (level > np.percentile(level, 95) * 10 ** (-30 / 20)) & (level > 1e-4)
    found, start, quiet = [], None, 0
    for i, on in enumerate(np.append(speech, [False] * int(pause * 50 + 1))):
        if on:
            start, quiet = i if start is None else start, 0
        elif start is not None:
            quiet += 1
            if quiet >= pause * 50:
                end = i - quiet + 1
                if 0.3 <= (end - start) / 50 <= longest:
                    found.append(samples[max(0, start - 5) * n:(end + 5) * n])
                start, quiet = None, 0
    return found


def heard_as(wavs: list[Path], how: str, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """What the long recordings sound like as ``how`` says (whole, short or babble), by name."""
    if how == "whole":
        return [(wav.name, read_wav(wav)) for wav in wavs]
    rng = np.random.default_rng(seed)
    cut = [(wav, parts) for wav in wavs if (parts := utterances(read_wav(wav)))]
    wavs = [wav for wav, _ in cut]  # a recording with no pause in it has no short utterance

    def spaced(parts: list) -> np.ndarray:  # each utterance, then 0.8 to 2.5 s of quiet
        return np.concatenate([np.concatenate([u, np.zeros(int(rng.uniform(0.8, 2.5) * IN_RATE),
                                                           np.float32)]) for u in parts])
    if how == "short":
        return [(f"{wav.name} (short)", spaced(parts)) for wav, parts in cut]
    readers = [spaced(parts) for _, parts in cut]
    out: list[tuple[str, np.ndarray]] = []
    for i in range(len(readers)):  # each reader with the next two, as loud, at once
        three = [readers[(i + k) % len(readers)] for k in range(3)]
        n = min(len(r) for r in three)
        mixed = sum(r[:n] / (np.sqrt(np.mean(r[:n] ** 2)) + 1e-9) for r in three)
        out.append((f"{wavs[i].name} (babble)",
                    (0.1 * mixed / np.sqrt(np.mean(mixed ** 2))).astype(np.float32)))
    return out


def speaker(wav: Path) -> str:
    """Speech Commands names files SPEAKER_nohash_N.wav."""
    return wav.stem.split("_nohash_")[0]


def enrolment(clips: Path, words: list[str], k: int) -> tuple[dict, set[str]]:
    """The first ``k`` usable clips of each word, as enrolled takes, and their speakers."""
    enrolled: dict[str, list[np.ndarray]] = {}
    speakers: set[str] = set()
    for w in words if k else []:
        for wav in sorted((clips / w.replace(" ", "_")).glob("*.wav")):
            if len(enrolled.get(w, [])) == k:
                break
            try:
                enrolled.setdefault(w, []).append(trim(read_wav(wav)))
                speakers.add(speaker(wav))
            except TakeError:
                continue
    return enrolled, speakers


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=Path, default=SHARED)
    p.add_argument("--words", default=TEN)
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--sensitivity", type=float, help="overrides listen.sensitivity")
    p.add_argument("--engine", help="overrides listen.engine")
    p.add_argument("--enroll", type=int, default=0, metavar="K",
                   help="embedding engine: also learn from K clips of each trigger word, as "
                   "enrolled takes; every clip of their speakers is then left out")
    p.add_argument("--same-clips", action="store_true",
                   help="with --enroll: leave the same clips out but learn nothing from them, "
                   "for a fair comparison")
    p.add_argument("--store", type=Path, default=ROOT / "bench-out" / "store",
                   help="where the embedding engine keeps what it learns for benchmarks")
    p.add_argument("--ear", action="store_true",
                   help="two-stage engine: learn the ear of every phrase in --store first, as "
                   "the first live start does (listen.fast_stop)")
    p.add_argument("--with-shipped", action="store_true",
                   help="keep the configuration's own phrases too (the words are added to them)")
    p.add_argument("--continuous", type=Path, help="long WAVs in which every detection is "
                   "false (default: the clips folder's continuous/)")
    p.add_argument("--snr", type=float, help="mix noise into every clip at this SNR (dB)")
    p.add_argument("--noise", choices=("pink", "real", "babble", "own"), default="pink")
    p.add_argument("--negatives", choices=("whole", "short", "babble"), default="whole",
                   help="how the long recordings are heard (see above)")
    p.add_argument("--no-clips", action="store_true", help="only the long recordings")
    p.add_argument("--lead", type=float, default=0.0, metavar="SECONDS",
                   help="a quiet room's SECONDS before each clip (the quick stages rest "
                        "through it and must wake in time)")
    p.add_argument("--awake", action="store_true",
                   help="two-stage engine: the quick stages never rest (twostage.REST)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not args.clips.is_dir():
        print(f"{args.clips}: no such folder of clips.", file=sys.stderr)
        return 2
    words = [w.strip().lower() for w in args.words.split(",") if w.strip()]
    config, _ = config_module.load(args.config)
    if args.awake:
        twostage.REST = float("inf")
    lead_rng = np.random.default_rng(1)
    spread = {intent: tuple(words[i::len(INTENTS)]) for i, intent in enumerate(INTENTS)
              if words[i::len(INTENTS)]}
    if args.with_shipped:
        spread = {intent: tuple(config.words.get(intent, ())) + spread.get(intent, ())
                  for intent in dict.fromkeys([*config.words, *spread])}
    config = replace(config, words=spread, phrase_sensitivity={},
                     engine=args.engine or config.engine,
                     sensitivity=config.sensitivity if args.sensitivity is None
                     else args.sensitivity)
    enrolled, left_out = enrolment(args.clips, words, args.enroll)
    if args.same_clips:
        enrolled = {}
    if args.ear and ear_phrases(config):
        load_or_train(ear_phrases(config), args.store)  # what `grounding learn` does
    run = Timed(make_recogniser(config, enrolled=enrolled, exclude=HELD_OUT,
                                 store=args.store))  # never the user's own takes
    labels_file = args.clips / "labels.json"
    labels = json.loads(labels_file.read_text()) if labels_file.exists() else {}
    long_wavs = args.continuous or args.clips / "continuous"
    noisy = Noise(args.noise, args.snr, long_wavs, config) if args.snr is not None else None

    hits = {w: 0 for w in words}
    positives = {w: 0 for w in words}
    false = {w: 0 for w in words}
    negatives = {w: 0 for w in words}
    delays: list[float] = []
    by_snr: dict[str, list[int]] = {}
    filler_false, filler_seconds = 0, 0.0  # clips of words that are not triggers
    folders = [] if args.no_clips else sorted(
        d for d in args.clips.iterdir() if d.is_dir() and d.name != "continuous")
    for folder in folders:
        spoken = folder.name.replace("_", " ")
        for wav in sorted(folder.glob("*.wav")):
            if speaker(wav) in left_out:
                continue
            samples = read_wav(wav)
            label = labels.get(f"{folder.name}/{wav.name}", {})
            # Where the voice ends, found before any noise is mixed in.
            said_end = label.get("end", speech_end(samples) if not label else None)
            if args.lead:
                samples = np.concatenate([background(samples, args.lead, lead_rng), samples])
                said_end = None if said_end is None else said_end + args.lead
            if noisy:
                samples = noisy(samples)
            found = run(samples)
            phrases = {d.phrase for d in found}
            if spoken not in words:
                filler_false += len(found)
                filler_seconds += len(samples) / IN_RATE
            for w in words:
                if w == spoken:
                    positives[w] += 1
                    hit = w in phrases
                    hits[w] += hit
                    key = str(label.get("snr") or "clean")
                    by_snr.setdefault(key, [0, 0])
                    by_snr[key][0] += hit
                    by_snr[key][1] += 1
                    if hit and said_end is not None:
                        d = next(d for d in found if d.phrase == w)
                        delays.append(d.time - said_end)
                else:
                    negatives[w] += 1
                    false[w] += w in phrases
    continuous = sorted(long_wavs.glob("*.wav"))
    cont_false, cont_seconds = 0, 0.0
    false_said: list[str] = []
    for name, samples in heard_as(continuous, args.negatives):
        found = run(samples)
        cont_false += len(found)
        false_said += [f"{name} {d.end:.1f}s: {d.phrase}" for d in found]
        cont_seconds += len(samples) / IN_RATE
    if not continuous:  # the clips of non-trigger words are the non-trigger audio
        cont_false, cont_seconds = filler_false, filler_seconds

    per_word = {w: {"detection": hits[w] / max(positives[w], 1),
                    "false_per_clip": false[w] / max(negatives[w], 1),
                    "positives": positives[w], "negatives": negatives[w]} for w in words}
    result = {
        "engine": type(run.recogniser).__name__, "sensitivity": config.sensitivity,
        "ear": getattr(run.recogniser, "ear", None) is not None,
        "enrolled_per_word": len(enrolled) and args.enroll, "speakers_left_out": len(left_out),
        "clips": str(args.clips),
        "detection": float(np.mean([v["detection"] for v in per_word.values()])),
        "false_per_clip": float(np.mean([v["false_per_clip"] for v in per_word.values()])),
        "false_per_hour": cont_false / cont_seconds * 3600 if cont_seconds else None,
        "continuous_minutes": cont_seconds / 60, "negatives": args.negatives,
        "rtf": run.cpu / run.audio if run.audio else 0.0,
        "latency_ms_p50": float(np.percentile(delays, 50) * 1e3) if delays else None,
        "latency_ms_p95": float(np.percentile(delays, 95) * 1e3) if delays else None,
        "detection_by_snr": {k: v[0] / v[1] for k, v in sorted(by_snr.items())},
        "snr_db": args.snr, "noise": args.noise if args.snr is not None else None,
        "phrases_configured": len(config.phrases),
        "continuous_false": false_said,
        "words": per_word,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    if not args.no_clips:
        print(f"{'word':12} {'detected':>9} {'false/clip':>11}")
        for w, v in per_word.items():
            print(f"{w:12} {v['detection']:9.1%} {v['false_per_clip']:11.2%}")
        print(f"{'mean':12} {result['detection']:9.1%} {result['false_per_clip']:11.2%}")
    if result["false_per_hour"] is not None:
        print(f"false triggers per hour of non-trigger audio ({args.negatives}): "
              f"{result['false_per_hour']:.2f} ({result['continuous_minutes']:.1f} min, "
              f"{len(config.phrases)} phrases)")
        for said in false_said:
            print(f"  false: {said}")
    if by_snr:
        print("detection by SNR: " + ", ".join(f"{k}: {v:.1%}" for k, v in
                                                result["detection_by_snr"].items()))
    print(f"real-time factor: {result['rtf']:.3f}")
    if delays:
        print(f"end of word to detection: median {result['latency_ms_p50']:.0f} ms, "
              f"95th percentile {result['latency_ms_p95']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
