#!/usr/bin/env python3
"""Commands said while a routine speaks: is each one acted on, and how soon?

    .venv/bin/python scripts/bench_during.py                    # (a) in files, no echo
    .venv/bin/python scripts/bench_during.py --echo-db -12      # (b) its own output in the file
    .venv/bin/python scripts/bench_during.py --echo-db -6
    .venv/bin/python scripts/bench_during.py --voices flite     # the shipped phrases, flite

Real people (``keywords/``: alexa, computer and jarvis, 100 people each) are configured as
the phrases of five commands (help, quiet, repeat, slower, pause; each trial gives its
clip's word to one of them, in turn), and each clip is said at a random moment of a routine
(body scan, breathing, grounding, pause, help and the user's own "aftercare"), in turn. The
assistant hears a file: with no echo at all, or (``--echo-db``) with what it plays coming
back into the microphone through a room (``--delay-ms`` late, a clock ``--drift-ppm`` off,
a decaying response, a little noise) at that level, the person ``--below`` dB under the echo.

For each saying: acted on (the command's trigger, up to ``WINDOW`` seconds after the phrase
ends), ignored (and by which piece of evidence), turned down by the check, or not heard at
all; late (acted on more than ``LATE`` s after the end); and the time from the end of the
phrase to the chime (the first sound of the answer, in the next block after the trigger).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.build import build_assistant  # noqa: E402
from assistant.deciding.assistant import Assistant  # noqa: E402
from assistant.recognisers import make_recogniser  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import read_wav  # noqa: E402
from assistant.speaking.routines import render  # noqa: E402
from assistant.speaking.voice import configured_voice  # noqa: E402
from tests.support.analysis import Room, loopback, speech_end  # noqa: E402
from tests.support.corpus import SHARED  # noqa: E402
from tests.support.voices import flite  # noqa: E402

ROUTINES = ("body_scan", "breathing", "ground", "pause", "help", "aftercare")
COMMANDS = ("help", "quiet", "repeat", "slower", "pause")
WORDS = ("alexa", "computer", "jarvis")
#: Seconds after the end of a phrase within which its answer counts (the check of a long
#: stretch of talk may take a while).
WINDOW = 4.0
LATE = 1.5
MORNING = dt.datetime(2026, 11, 28, 9, 40)


def level(x: np.ndarray) -> float:
    """RMS of the louder half of 10 ms frames: the level of speech, not of its pauses."""
    frames = x[:len(x) // 160 * 160].reshape(-1, 160).astype(np.float64)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    loud = np.sort(rms)[len(rms) // 2:]
    return float(np.sqrt((loud ** 2).mean())) if len(loud) else 0.0


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.base, _ = config_module.load(args.config)
        if args.engine:
            self.base = replace(self.base, engine=args.engine)
        self.voice = configured_voice(self.base, store=args.store)  # its renderings kept
        self.recognisers: dict[tuple, object] = {}
        self.speech_level: dict[str, float] = {}

    def config_for(self, phrase: str, intent: str):
        """The shipped configuration with ``phrase`` as one of the phrases of ``intent``."""
        words = {k: tuple(p for p in v if p != phrase) for k, v in self.base.words.items()}
        words[intent] = (phrase,) + words[intent]
        return replace(self.base, words=words)

    def assistant(self, config) -> Assistant:
        key = tuple(sorted((k, v) for k, v in config.words.items()))
        if key not in self.recognisers:
            self.recognisers[key] = make_recogniser(config, store=self.args.store)
        recogniser = self.recognisers[key].fresh()
        return build_assistant(config, recogniser=recogniser, voice=self.voice,
                               clock=lambda: MORNING)

    def routine_level(self, routine: str, config) -> float:
        if routine not in self.speech_level:
            sound = render(routine, config, self.voice, now=MORNING).sound
            self.speech_level[routine] = level(sound)
        return self.speech_level[routine]

    def trial(self, *, routine: str, phrase: str, intent: str, clip: np.ndarray,
              rng: random.Random) -> dict:
        config = self.config_for(phrase, intent)
        assistant = self.assistant(config)
        length = render(routine, config, self.voice, now=MORNING).seconds
        at = rng.uniform(3.0, max(3.5, min(length, 60.0) - 2.0))
        end = at + float(speech_end(clip))
        gain = 10 ** (self.args.echo_db / 20) if self.args.echo_db is not None else 0.0
        if gain:  # the person ``--below`` dB under the echo of the routine's speech
            clip = clip * (gain * self.routine_level(routine, config)
                           * 10 ** (-self.args.below / 20) / max(level(clip), 1e-6))
        room = Room(gain=gain, delay=self.args.delay_ms / 1000, drift=self.args.drift_ppm,
                    noise=2e-4, seed=rng.randrange(1 << 30))
        user = np.concatenate([np.zeros(int(at * IN_RATE), np.float32), clip])
        events = loopback(assistant, routine, room=room, user=user, until=end + WINDOW)
        mine = [e for e in events if at - 0.5 <= e["t"] <= end + WINDOW]
        acted = [e for e in mine if e["event"] == "trigger" and e["intent"] == intent]
        ignored = [e for e in mine if e["event"] == "ignored" and e["phrase"] == phrase]
        rejected = [e for e in mine if e["event"] == "rejected" and e["phrase"] == phrase]
        others = [e["intent"] for e in events if e["event"] == "trigger"
                  and e["intent"] != intent]
        outcome = ("acted on" if acted else f"ignored ({evidence(ignored[0])})" if ignored
                   else "turned down" if rejected else "not heard")
        # How the echo canceller measured each find: the person's saying, or its own voice.
        measured = [{"person": e["phrase"] == phrase and at - 0.5 <= e["t"] <= end + WINDOW,
                     "event": e["event"], "phrase": e["phrase"], "t": e["t"],
                     "left_db": e.get("echo_left_db"), "taken_db": e.get("echo_taken_db"),
                     "coupling": e.get("echo_coupling"),
                     "evidence": e.get("evidence")}
                    for e in events if e["event"] in ("candidate", "heard", "ignored")]
        return {"routine": routine, "phrase": phrase, "intent": intent, "at": round(at, 2),
                "end": round(end, 2), "outcome": outcome,
                "chime_ms": round((acted[0]["t"] - end) * 1000) if acted else None,
                "other_triggers": others, "measured": measured}


def evidence(event: dict) -> str:
    """What an ``ignored`` event says decided (older versions said it as ``how``/``reason``)."""
    return event.get("evidence") or event.get("how") or event.get("reason") or "?"


def keyword_clips(n: int, rng: random.Random) -> list[tuple[str, np.ndarray]]:
    folder = SHARED / "keywords"
    if not folder.is_dir():
        raise SystemExit(f"the real recordings are not at {folder} (set GROUNDING_SHARED)")
    clips = []
    for word in WORDS:
        files = sorted((folder / word).glob("*.wav"))
        clips += [(word, read_wav(f, IN_RATE)) for f in rng.sample(files, min(n, len(files)))]
    rng.shuffle(clips)
    return clips


def flite_sayings(config) -> list[tuple[str, str, np.ndarray]]:
    """(intent, phrase, samples): every command of the configuration, four flite voices."""
    out = []
    for voice in ("slt", "rms", "awb", "kal16"):
        for intent in COMMANDS + ("skip", "next", "resume"):
            for phrase in config.words.get(intent, ()):
                out.append((intent, phrase, flite(phrase, voice)))
    return out


def summary(rows: list[dict]) -> dict:
    acted = [r for r in rows if r["outcome"] == "acted on"]
    chimes = sorted(r["chime_ms"] for r in acted)
    outcomes = collections.Counter(r["outcome"] for r in rows)
    return {"sayings": len(rows), "acted_on": len(acted),
            "acted_on_pct": round(100 * len(acted) / max(len(rows), 1), 1),
            "outcomes": dict(outcomes),
            "late": sum(c > LATE * 1000 for c in chimes),
            "chime_ms_median": chimes[len(chimes) // 2] if chimes else None,
            "chime_ms_p95": chimes[min(len(chimes) - 1, int(0.95 * len(chimes)))]
            if chimes else None,
            "other_triggers": sum(bool(r["other_triggers"]) for r in rows)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--engine", help="overrides listen.engine")
    p.add_argument("--voices", choices=("keywords", "flite"), default="keywords")
    p.add_argument("--per-word", type=int, default=30, help="keyword clips of each word")
    p.add_argument("--echo-db", type=float, help="its own output in the microphone, this "
                   "many dB from what it plays (none: no echo at all)")
    p.add_argument("--below", type=float, default=6.0, help="the person, dB under the echo")
    p.add_argument("--delay-ms", type=float, default=40.0)
    p.add_argument("--drift-ppm", type=float, default=20.0, help="the speaker's clock this "
                   "much fast against the microphone's (two sound cards)")
    p.add_argument("--store", type=Path, default=ROOT / "bench-out" / "store",
                   help="where a learned ear is looked for (none there: no ear)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="every trial as JSON lines")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    bench = Bench(args)
    if args.voices == "keywords":
        sayings = [(COMMANDS[i % len(COMMANDS)], word, clip)
                   for i, (word, clip) in enumerate(keyword_clips(args.per_word, rng))]
    else:
        sayings = flite_sayings(bench.base)
    rows = []
    for i, (intent, phrase, clip) in enumerate(sayings):
        routine = ROUTINES[i % len(ROUTINES)] if args.voices == "keywords" else \
            ("body_scan", "breathing", "ground")[i % 3]
        row = bench.trial(routine=routine, phrase=phrase, intent=intent, clip=clip, rng=rng)
        rows.append(row)
        print(json.dumps(row) if args.json else
              f"{i + 1:3d} {routine:<10} {intent:<7} {phrase:<16} at {row['at']:5.1f} s: "
              f"{row['outcome']}" + (f", chime {row['chime_ms']} ms" if row["chime_ms"]
                                     is not None else "") +
              (f"; also started {', '.join(row['other_triggers'])}" if row["other_triggers"]
               else ""), flush=True)
    groups = {"all": rows} | {
        f"routine {r}": [x for x in rows if x["routine"] == r]
        for r in dict.fromkeys(x["routine"] for x in rows)} | {
        f"command {c}": [x for x in rows if x["intent"] == c]
        for c in dict.fromkeys(x["intent"] for x in rows)}
    table = {name: summary(group) for name, group in groups.items()}
    if args.json:
        print(json.dumps({"echo_db": args.echo_db, "voices": args.voices} | table))
        return 0
    finds = [m for r in rows for m in r["measured"] if m["left_db"] is not None]
    for who, person in (("the person's", True), ("other", False)):
        left = sorted(m["left_db"] for m in finds if m["person"] is person)
        if left:
            print(f"echo left over {who} finds ({len(left)}): {left[0]} to {left[-1]} dB, "
                  f"median {left[len(left) // 2]}")
    echo = "no echo" if args.echo_db is None else f"echo {args.echo_db:g} dB, person " \
        f"{args.below:g} dB under it"
    print(f"\n{args.voices}, {echo}")
    for name, s in table.items():
        other = {k: v for k, v in s["outcomes"].items() if k != "acted on"}
        print(f"  {name:<18} {s['acted_on']:3d}/{s['sayings']:<3d} acted on "
              f"({s['acted_on_pct']:5.1f}%)  late {s['late']}  chime median "
              f"{s['chime_ms_median']} ms, p95 {s['chime_ms_p95']} ms  "
              f"{', '.join(f'{k}: {v}' for k, v in other.items())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
