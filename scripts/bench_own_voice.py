#!/usr/bin/env python3
"""The assistant hearing itself: self-triggers and barge-in with its speaker's sound fed back.

    .venv/bin/python scripts/bench_own_voice.py --engine pocketsphinx

Every routine of the config is played with its output fed back into the microphone through
a simulated room (30 ms late, a small room's echo, a little noise) at several echo levels.
Counts what it started by itself (self-triggers), how often it stopped its own voice for a
moment on a first-stage candidate that the check then turned down, what it recognised as its
own voice and ignored, and how often four flite voices saying the first pause phrase over a
body scan, at several points of it, are heard (barge-in).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.build import build_assistant  # noqa: E402
from assistant.deciding.assistant import Assistant  # noqa: E402
from assistant.learning.speakers import speak  # noqa: E402
from assistant.recognisers import make_recogniser  # noqa: E402
from assistant.settings import BUILTIN_ROUTINES as ROUTINES  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.speaking.voice import configured_voice  # noqa: E402
from tests.support.analysis import Room, loopback  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--engine", help="overrides listen.engine")
    p.add_argument("--gains", default="0.1,0.25,0.5", help="echo levels to try")
    p.add_argument("--echo-cancel", choices=("auto", "on", "off"), default="auto",
                   help="take the assistant's echo out of the microphone first (auto: where "
                   "that helps the engine)")
    p.add_argument("--points", default="7,20,33",
                   help="seconds into the body scan at which the user says the pause phrase")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    config, _ = config_module.load(args.config)
    config = replace(config, engine=args.engine or config.engine)
    store = ROOT / "bench-out" / "store"
    recogniser = make_recogniser(config, store=store)
    voice = configured_voice(config, store=store)  # the configured voice, its renderings kept
    pause = config.words["pause"][0]
    with tempfile.TemporaryDirectory() as tmp:
        users = [speak("flite", v, pause, 1.0, None, Path(tmp)) * 0.5
                 for v in ("slt", "rms", "awb", "kal16")]

    def fresh() -> Assistant:
        return build_assistant(config, recogniser=recogniser.fresh(), voice=voice,
                               clock=lambda: dt.datetime(2026, 11, 28, 9, 40),
                               cancel_echo={"auto": None, "on": True,
                                            "off": False}[args.echo_cancel])

    rows = []
    for gain in (float(g) for g in args.gains.split(",")):
        started, ignored, held, seconds = [], 0, 0, 0.0
        for routine in ROUTINES:
            events = loopback(fresh(), routine, room=Room(gain=gain))
            started += [f"{e['phrase']} ({routine}, {e['t']:.0f} s)" for e in events
                        if e["event"] == "trigger"]
            ignored += sum(e["event"] == "ignored" for e in events)
            held += sum(e["event"] == "speech_start" and bool(e.get("reason")) for e in events)
            seconds += events[-1]["t"]
        heard, trials = 0, 0
        for at in (float(t) for t in args.points.split(",")):
            for said in users:
                user = np.concatenate([np.zeros(int(IN_RATE * at), np.float32), said])
                events = loopback(fresh(), "body_scan", room=Room(gain=gain), user=user)
                heard += any(e["event"] == "trigger" and e["phrase"] == pause and e["t"] > at
                             for e in events)
                trials += 1
        rows.append({"engine": type(recogniser).__name__, "echo_gain": gain,
                     "own_speech_minutes": round(seconds / 60, 1), "self_triggers": started,
                     "stopped_for_a_moment": held, "ignored_as_own_voice": ignored,
                     "barge_in": f"{heard}/{trials}"})
        if not args.json:
            print(f"echo {gain}: {len(started)} self-triggers in {seconds / 60:.1f} min "
                  f"{started}, {held} times stopped for a moment, {ignored} ignored as its "
                  f"own voice, barge-in {heard}/{trials}", flush=True)
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
