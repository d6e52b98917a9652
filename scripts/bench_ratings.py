#!/usr/bin/env python3
"""Check-in ratings heard: zero to ten said by real people and by synthetic voices, and none
heard in ordinary read speech.

    .venv/bin/python scripts/bench_ratings.py
    .venv/bin/python scripts/bench_ratings.py --continuous-minutes 35

With check-ins on, the default engine listens for the numbers zero to ten as well as the
phrases. Each recording is heard on its own, as an answer to a check-in would be: real
people (``speech_commands_v0.01/zero`` ... ``nine``, ten people each), the four flite voices
and six espeak-ng voices (zero to ten). A rating counts as heard when the number it gives is
the one said. Then ``continuous/`` (read speech, no ratings in it) is heard whole, as if a
check-in waited all the while: every rating found there is one a television or a
conversation could give while a check-in waits.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.hearing.base import detect_samples  # noqa: E402
from assistant.learning.speakers import ESPEAK, FLITE, speak  # noqa: E402
from assistant.recognisers import make_recogniser  # noqa: E402
from assistant.settings import RATINGS  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import read_wav, to_int16  # noqa: E402
from tests.support.corpus import SHARED  # noqa: E402


def heard(recogniser, samples: np.ndarray) -> list[str]:
    """The ratings heard in ``samples`` (said with a moment of quiet around them)."""
    quiet = np.zeros(IN_RATE // 2, np.float32)
    listening = recogniser.fresh()
    listening.expect(RATINGS)  # as while a check-in waits
    found = detect_samples(listening, to_int16(np.concatenate([quiet, samples, quiet])),
                           tail=1.0)
    return [d.phrase for d in found if d.kind == "heard" and d.phrase in RATINGS]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--continuous-minutes", type=float, default=35.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    config, _ = config_module.load(args.config)
    config = replace(config, checkins=replace(config.checkins, enabled=True))
    recogniser = make_recogniser(config, store=ROOT / "bench-out" / "store")
    results: dict[str, collections.Counter] = {}
    missed: list[str] = []

    def trial(kind: str, number: str, samples: np.ndarray, name: str) -> None:
        found = heard(recogniser, samples)
        outcome = "heard" if found == [number] else "wrong" if found else "none"
        results.setdefault(kind, collections.Counter())[outcome] += 1
        if outcome != "heard":
            missed.append(f"{kind} {name}: {number} -> {found or 'nothing'}")

    people = SHARED / "speech_commands_v0.01"
    for number in RATINGS[:10]:
        for path in sorted((people / number).glob("*.wav")):
            trial("people", number, read_wav(path, IN_RATE), path.name)
    with tempfile.TemporaryDirectory() as tmp:
        for engine, voices in (("flite", FLITE), ("espeak", ESPEAK)):
            for voice in voices:
                for number in RATINGS:
                    trial(engine, number, speak(engine, voice, number, 1.0, None, Path(tmp)),
                          voice)
    false = collections.Counter()
    seconds = 0.0
    for path in sorted((SHARED / "continuous").glob("*.wav")):
        audio = read_wav(path, IN_RATE)
        audio = audio[:int(args.continuous_minutes * 60 * IN_RATE / 4)]
        seconds += len(audio) / IN_RATE
        false.update(heard(recogniser, audio))
    summary = {kind: {"heard": c["heard"], "of": sum(c.values()),
                      "pct": round(100 * c["heard"] / sum(c.values()), 1),
                      "wrong": c["wrong"], "none": c["none"]} for kind, c in results.items()}
    every = collections.Counter()
    for c in results.values():
        every.update(c)
    summary["all"] = {"heard": every["heard"], "of": sum(every.values()),
                      "pct": round(100 * every["heard"] / sum(every.values()), 1)}
    summary["continuous"] = {"minutes": round(seconds / 60, 1), "ratings": dict(false),
                             "per_hour": round(sum(false.values()) / (seconds / 3600), 1)}
    if args.json:
        print(json.dumps(summary | {"missed": missed}))
        return 0
    for line in missed:
        print("  " + line)
    for kind, s in summary.items():
        print(f"{kind:10s} {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
