#!/usr/bin/env python3
"""Breathing pacer timing, measured on the rendered audio: cycle error and drift.

    .venv/bin/python scripts/bench_breathing.py [--minutes 10] [--json]

Each pattern is rendered exactly as `grounding say breathing` renders it and
the phase onsets are found in the sound (the spoken cues), not taken from the
code's own bookkeeping.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.speaking.routines import render  # noqa: E402
from assistant.speaking.voice import Voice  # noqa: E402
from tests.support.analysis import onset_delay, phase_timing  # noqa: E402

LONG_CUE = "breathe in slowly and gently, all the way down into your belly, and fill up"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    config, _ = config_module.load(args.config)
    plain = replace(config.breathing, intro="", outro="", count=False)
    voice = Voice(rate=config.rate, volume=config.volume, voice=config.voice)
    cases = [(name, plain) for name in plain.patterns]
    cues = dict(plain.cues, inhale=LONG_CUE)
    cases.append(("box, cue longer than phase", replace(plain, cues=cues)))
    rows = []
    for name, breathing in cases:
        pattern = name.split(",")[0]
        c = replace(config, breathing=breathing)
        started = time.perf_counter()
        program = render("breathing", c, voice, pattern=pattern, minutes=args.minutes)
        seconds = time.perf_counter() - started
        phases = [x for x in breathing.patterns[pattern] if x]
        words = [breathing.cues[k] for k, x in zip(("inhale", "hold", "exhale", "hold"),
                                                    breathing.patterns[pattern]) if x]
        delays = [onset_delay(voice.say(w)) for w in words]
        timing = phase_timing(program.sound, phases, delays)
        rows.append({"pattern": name, "minutes": args.minutes, **timing,
                     "render_s": round(seconds, 3)})
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'pattern':30} {'cycles':>6} {'phase err ms':>12} {'cycle err ms':>12} "
          f"{'drift ms':>9} {'render s':>9}")
    for r in rows:
        print(f"{r['pattern']:30} {r['cycles']:6d} {r['phase_error_ms']:12.2f} "
              f"{r['cycle_error_ms']:12.2f} {r['drift_ms']:9.2f} {r['render_s']:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
