#!/usr/bin/env python3
"""A real room: detection against false triggers an hour, over noise levels and sensitivities.

    .venv/bin/python scripts/bench_room.py                         # the whole curve (hours)
    .venv/bin/python scripts/bench_room.py --sensitivities 0.6 --snrs clean,10,5

For each ``listen.sensitivity``: the keyword clips (300 people saying alexa, computer and
jarvis, configured beside the shipped phrases, heard with the ear of every phrase, learned in
``bench-out/store`` the first time, as the assistant hears once it has learned) clean and
with real household and street noise (``../shared/speech/noise/``) at each SNR, and the
false triggers an hour in the continuous read speech heard whole, cut into short
utterances, and as the babble of three readers (``bench_triggers.py --negatives``). One
line per sensitivity, so a person can choose, as Picovoice's wake-word benchmark does.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench_triggers  # noqa: E402

SHARED = ROOT.parent / "shared" / "speech"


def measured(*args: str) -> dict:
    """One ``bench_triggers.py`` run's figures."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench_triggers.main([*args, "--json"])
    return json.loads(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sensitivities", default="0.4,0.6,0.8")
    p.add_argument("--snrs", default="clean,20,10,5,0")
    p.add_argument("--negatives", default="whole,short,babble")
    p.add_argument("--config", default=str(ROOT / "config.yaml"))
    args = p.parse_args(argv)
    common = ["--clips", str(SHARED / "keywords"), "--words", "alexa,computer,jarvis",
              "--with-shipped", "--config", args.config,
              "--ear", "--store", str(ROOT / "bench-out" / "store")]  # as it hears once learned
    snrs = [s for s in args.snrs.split(",") if s]
    kinds = [k for k in args.negatives.split(",") if k]
    print("sensitivity | " + " | ".join(f"{s} dB" if s != "clean" else s for s in snrs) +
          " | " + " | ".join(f"false/h {k}" for k in kinds), flush=True)
    for sensitivity in args.sensitivities.split(","):
        row = []
        for snr in snrs:
            noise = [] if snr == "clean" else ["--snr", snr, "--noise", "real"]
            r = measured(*common, "--sensitivity", sensitivity, *noise, "--continuous",
                         str(ROOT / "bench-out" / "none"))  # no long recordings here
            each = ", ".join(f"{v['detection']:.0%}" for v in r["words"].values())
            row.append(f"{r['detection']:.1%} ({each})")
        for kind in kinds:
            r = measured(*common, "--sensitivity", sensitivity, "--no-clips", "--negatives",
                         kind, "--continuous", str(SHARED / "continuous"))
            row.append(f"{r['false_per_hour']:.2f} ({r['continuous_minutes']:.0f} min)")
            for said in r["continuous_false"]:
                print(f"  false ({kind}, {sensitivity}): {said}", flush=True)
        print(f"{sensitivity} | " + " | ".join(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
