#!/usr/bin/env python3
"""Phone numbers in the help routine, as a listener hears them: each section of the help
routine rendered, written down by Whisper tiny.en, and its digits compared with the number
meant, for the numbers said clearly (as shipped) and said at the sentence's own pace.

    .venv/bin/python scripts/bench_numbers.py [--config config.yaml] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.hearing.whisper import Transcriber  # noqa: E402
from assistant.sound import IN_RATE, OUT_RATE  # noqa: E402
from assistant.sound.files import resample  # noqa: E402
from assistant.speaking import timeline  # noqa: E402
from assistant.speaking.routines import render, spell_phone  # noqa: E402
from assistant.speaking.voice import configured_voice  # noqa: E402
from tests.support.numbers import digits_heard, edits_within  # noqa: E402


def heard(config, transcriber: Transcriber, clear: bool) -> list[dict]:
    shipped = timeline.NUMBER
    if not clear:  # every number said within its sentence, at the sentence's pace
        timeline.NUMBER = timeline.re.compile(r"(?!x)x")
    try:
        # The configured voice (espeak-ng or Piper), its renderings kept with the benches'.
        program = render("help", config, configured_voice(config, store=ROOT / "bench-out"
                                                          / "store"))
    finally:
        timeline.NUMBER = shipped
    ends = [m.start for m in program.marks[1:]] + [len(program.sound)]
    numbers = [config.emergency.phone] + ([config.crisis_line.phone] if config.crisis_line
                                          else []) + [p.phone for p in config.contacts if p.phone]
    found = []
    for phone in numbers:
        spelled = spell_phone(phone)
        said = next(((m, e) for m, e in zip(program.marks, ends) if spelled in m.text), None)
        if said is None:  # not read out (the example contacts are left out until changed)
            continue
        mark, end = said
        text = transcriber.text(resample(program.sound[mark.start:end], OUT_RATE, IN_RATE)
                                .astype(np.float32))
        want = "".join(c for c in phone if c.isdigit())
        found.append({"number": phone, "heard": text, "off_by": edits_within(want,
                                                                            digits_heard(text))})
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    config = config_module.load(args.config)[0]
    transcriber = Transcriber()
    result = {way: heard(config, transcriber, way == "clear") for way in ("plain", "clear")}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for way, found in result.items():
        exact = sum(f["off_by"] == 0 for f in found)
        print(f"{way}: {exact} of {len(found)} numbers heard exactly; digits off: "
              f"{[f['off_by'] for f in found]}")
        for f in found:
            print(f"  {f['number']:<16} {f['heard']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
