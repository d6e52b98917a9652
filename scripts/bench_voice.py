"""Does every sentence the assistant can say come out whole, and the same each time?

Renders every sentence of the routines in config.yaml ``--repeats`` times, each time
with a new synthesiser, and counts renderings that are empty, more than 50 ms shorter or
longer than that sentence's usual (median) length, or not sample-identical to the first.

    .venv/bin/python scripts/bench_voice.py --synthesiser espeak-ng --repeats 40
    .venv/bin/python scripts/bench_voice.py --synthesiser pyttsx3 --repeats 40
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import settings as config_module  # noqa: E402
from assistant.sound import OUT_RATE  # noqa: E402
from assistant.speaking.routines import render_all  # noqa: E402
from assistant.speaking.voice import Voice, VoiceError  # noqa: E402


def sentences(config) -> list[str]:
    voice = Voice(rate=config.rate)
    render_all(config, voice, now=dt.datetime(2026, 11, 28, 10, 0))
    return voice.said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=Path(__file__).resolve().parent.parent / "config.yaml")
    parser.add_argument("--synthesiser", choices=("espeak-ng", "pyttsx3"), default="espeak-ng")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    config = config_module.load(args.config)[0]
    texts = sentences(config)
    renders: dict[str, list[np.ndarray]] = collections.defaultdict(list)
    began = time.perf_counter()
    for _ in range(args.repeats):
        voice = Voice(rate=config.rate, synthesiser=args.synthesiser)
        for text in texts:
            try:
                renders[text].append(voice.say(text))
            except VoiceError:
                renders[text].append(np.zeros(0, np.float32))
    seconds = time.perf_counter() - began
    counts = collections.Counter()
    slack = 0.05 * OUT_RATE
    for text in texts:
        usual = np.median([len(r) for r in renders[text]])
        for r in renders[text]:
            counts["empty" if len(r) == 0 else "short" if len(r) < usual - slack
                   else "long" if len(r) > usual + slack else "whole"] += 1
            counts["identical"] += len(r) == len(renders[text][0]) and np.array_equal(
                r, renders[text][0])
    total = len(texts) * args.repeats
    figures = {"synthesiser": args.synthesiser, "sentences": len(texts), "renders": total,
               "empty": counts["empty"], "short": counts["short"], "long": counts["long"],
               "identical": counts["identical"], "ms_per_render": round(1000 * seconds / total, 1)}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.synthesiser}: {len(texts)} sentences x {args.repeats} = {total} renders; "
              f"empty {counts['empty']}, >50 ms short {counts['short']}, >50 ms long "
              f"{counts['long']}, sample-identical to the first {counts['identical']}; "
              f"{figures['ms_per_render']} ms a render")
    return 0


if __name__ == "__main__":
    sys.exit(main())
