#!/usr/bin/env python3
"""Experiments on the embedding engine's learning, scored on the real clips of ../shared.

    .venv/bin/python scripts/try_training.py --seed 0
    .venv/bin/python scripts/try_training.py --seed 0 --shifts 0.9,1.1
    apt-get install festival festvox-kdlpc16k festvox-kallpc16k festvox-us-slt-hts
    .venv/bin/python scripts/try_training.py --seed 0 --with-festival

Learns the ten words of ../shared/speech from synthetic speech (as `learn.train`
does) and scores every clip offline: per clip and word, the highest probability held
over two blocks, with half a second of silence around the clip. Prints detection and
false triggers per clip at three thresholds, and the best detection one threshold for
all words gives at no more than 1, 2 and 4% false triggers.

--with-festival: three Festival voices (ked and kal diphones, slt HTS) join the
speakers. --shifts: each clip is also heard sped up or slowed down by these factors
(a shorter or longer vocal tract, higher or lower pitch) and the scores are averaged
over all versions. Not part of the product: see docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.hearing.embedding import Embedder  # noqa: E402
from assistant.learning import learn, speakers  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import read_wav, resample  # noqa: E402
from tests.support.corpus import HELD_OUT  # noqa: E402

WORDS = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")
SHARED = ROOT.parent / "shared" / "speech" / "speech_commands_v0.01"
FESTIVAL = {"ked": "ked_diphone", "kal": "kal_diphone", "slt-hts": "cmu_us_slt_arctic_hts"}


def with_festival(speak):
    def festival_too(engine, voice, text, rate, pitch, tmp, gap=False):
        if engine != "festival":
            return speak(engine, voice, text, rate, pitch, tmp, gap)
        if gap:
            text = ". ".join(text.split()) + "."
        out = tmp / "festival.wav"
        setup = f"(begin (voice_{FESTIVAL[voice]}) (Parameter.set 'Duration_Stretch {1 / rate})"
        subprocess.run(["text2wave", "-eval", setup + ")", "-o", str(out)],
                       input=text.encode(), check=True, capture_output=True)
        sound = read_wav(out, IN_RATE)
        if pitch not in (None, 1.0):  # a small speaker shift stands in for a pitch change
            sound = resample(sound, IN_RATE, int(IN_RATE * (1 + (pitch - 1) / 2)))
        return sound
    return festival_too


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--with-festival", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shifts", default="", help="speed factors to average over, e.g. 0.9,1.1")
    args = p.parse_args()
    if args.with_festival:
        voices = speakers.voices
        learn.speak = with_festival(speakers.speak)
        learn.voices = lambda: voices() + [("festival", v) for v in FESTIVAL]
    began = time.perf_counter()
    model = learn.train(WORDS, seed=args.seed, exclude=HELD_OUT)
    print(f"learned in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    embedder, pad = Embedder(), np.zeros(IN_RATE // 2, np.float32)
    factors = [1.0] + [float(f) for f in args.shifts.split(",") if f]
    clips = sorted(SHARED.glob("*/*.wav"))
    labels = np.array([c.parent.name for c in clips])
    best = np.zeros((len(factors), len(clips), len(WORDS)))
    for k, clip in enumerate(clips):
        x = np.concatenate([pad, read_wav(clip, IN_RATE), pad]) * 32767
        for j, f in enumerate(factors):
            p = model.probabilities(embedder.history(embedder.clip(
                resample(x, IN_RATE, int(round(IN_RATE * f))))))[:, 1:]
            best[j, k] = np.minimum(p[1:], p[:-1]).max(axis=0)

    def rates(scores: np.ndarray, t: float) -> tuple[float, float]:
        hit = np.mean([np.mean(scores[labels == w, i] >= t) for i, w in enumerate(WORDS)])
        false = np.mean([np.mean(scores[labels != w, i] >= t) for i, w in enumerate(WORDS)])
        return float(hit), float(false)

    name = ("with Festival" if args.with_festival else "flite and espeak-ng") + (
        f", heard at speeds {factors}" if len(factors) > 1 else "")
    for label, scores in [("as heard", best[0])] + (
            [("averaged over speeds", best.mean(axis=0))] if len(factors) > 1 else []):
        at = [rates(scores, t) for t in (0.9, 0.8, 0.5)]
        curve = [rates(scores, t) for t in np.linspace(0.05, 0.995, 200)]
        within = [max([h for h, f in curve if f <= limit], default=0.0)
                  for limit in (0.01, 0.02, 0.04)]
        print(f"{name}, seed {args.seed}, {label}: "
              + ", ".join(f"{h:.0%} / {f:.1%}" for h, f in at) + " at 0.9/0.8/0.5; best at "
              "<=1/2/4% false: " + ", ".join(f"{h:.0%}" for h in within))
    return 0


if __name__ == "__main__":
    sys.exit(main())
