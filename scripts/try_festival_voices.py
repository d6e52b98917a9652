#!/usr/bin/env python3
"""Experiment: would Festival's voices in the training speech hear real people better?

    apt-get install festival festvox-kdlpc16k festvox-kallpc16k festvox-us-slt-hts
    .venv/bin/python scripts/try_festival_voices.py --with-festival --seed 0
    .venv/bin/python scripts/try_festival_voices.py --seed 0

Learns the ten words of ../shared/speech from synthetic speech (as `training.train`
does), with or without three Festival voices (ked and kal diphones, slt HTS) among the
speakers, and scores every clip offline: per clip and word, the highest probability held
over two blocks, with half a second of silence around the clip; one threshold for all.
Not part of the product (the setup does not install Festival): see docs/benchmarks.md.
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

from assistant import training  # noqa: E402
from assistant.audio import IN_RATE, read_wav, resample  # noqa: E402
from assistant.embedding import Embedder  # noqa: E402

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
    args = p.parse_args()
    if args.with_festival:
        voices = training.voices
        training.speak = with_festival(training.speak)
        training.voices = lambda: voices() + [("festival", v) for v in FESTIVAL]
    began = time.perf_counter()
    model = training.train(WORDS, seed=args.seed)
    print(f"learned in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    embedder, pad = Embedder(), np.zeros(IN_RATE // 2, np.float32)
    clips = sorted(SHARED.glob("*/*.wav"))
    labels = np.array([c.parent.name for c in clips])
    best = []
    for clip in clips:
        x = np.concatenate([pad, read_wav(clip, IN_RATE), pad]) * 32767
        p = model.probabilities(embedder.history(embedder.clip(x)))[:, 1:]
        best.append(np.minimum(p[1:], p[:-1]).max(axis=0))
    best = np.array(best)
    name = "with Festival" if args.with_festival else "flite and espeak-ng only"
    for t in (0.9, 0.8, 0.5):
        hit = np.mean([np.mean(best[labels == w, i] >= t) for i, w in enumerate(WORDS)])
        false = np.mean([np.mean(best[labels != w, i] >= t) for i, w in enumerate(WORDS)])
        print(f"{name}, seed {args.seed}, threshold {t}: {hit:.0%} / {false:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
