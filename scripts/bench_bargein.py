#!/usr/bin/env python3
"""The live stop, measured through a real audio stack: how soon the voice falls silent.

    .venv/bin/python scripts/bench_bargein.py                      # 24 stops, no echo
    .venv/bin/python scripts/bench_bargein.py --echo-db -12 --trials 20
    .venv/bin/python scripts/bench_bargein.py --echo-db -6 --minutes 30 --trials 0

A private PulseAudio daemon stands in for the sound card (tests/support/pulse.py): the
assistant runs live (``grounding run``, PortAudio, default devices), a person's voice is
played into its microphone, and one three-channel recording of the room keeps what the
microphone heard, what the speaker played and the person's voice alone, on one clock.

Each trial starts a routine by voice (body scan, grounding, breathing in turn), waits until
a moment at which the routine is speaking, and has a real person (``keywords/computer``
recordings, with "computer" as the pause phrase) say the pause phrase so that it ends
there. From the recording alone: where the phrase ended (the person's channel) and where
the speaker fell silent (the first 0.2 s of digital silence after it, checked against the
routine's own rendering to be a stop: a silence in one of the routine's own pauses counts
from where its next sound was due, if that sound did not come), and whether the pause
routine's first sentence followed. Then it says "continue please" and checks the routine
came back.

With ``--commands`` (say ``pause=computer,help=jarvis,quiet=alexa``) the trials take the
commands in turn, each said by real people (``keywords/`` recordings of its word, configured
as its phrase): a pause is measured as above; any other command counts as acted on when its
trigger is in the assistant's event log within four seconds of the phrase's end, with the
time from the end of the phrase to the trigger.

With ``--echo-db`` the speaker reaches the microphone at that level (through a loopback
``--echo-ms`` late, if given), and the person speaks ``--below`` dB under that echo. With
``--minutes`` it also plays its own routines that long, with the echo, saying nothing but
the routines' start phrases, and counts every place where what the speaker played departs
from the routine's rendering (anything it started, stopped or paused by itself).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import settings as config_module  # noqa: E402
from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import read_wav, resample  # noqa: E402
from assistant.speaking.routines import render  # noqa: E402
from assistant.speaking.timeline import Program  # noqa: E402
from assistant.speaking.voice import configured_voice  # noqa: E402
from assistant.speaking.words import fill  # noqa: E402
from tests.support.analysis import best_match, speech_end  # noqa: E402
from tests.support.corpus import SHARED  # noqa: E402
from tests.support.live import Running  # noqa: E402
from tests.support.pulse import RATE, Recording, Room  # noqa: E402

ROUTINES = ("body_scan", "ground", "breathing")
SILENT = 2e-4  # below this the speaker channel is digital silence (the player's zeros)
FRAME = RATE // 100


def frame_rms(x: np.ndarray) -> np.ndarray:
    n = len(x) // FRAME * FRAME
    return np.sqrt((x[:n].reshape(-1, FRAME).astype(np.float64) ** 2).mean(axis=1))


def silent_run(x: np.ndarray, *, seconds: float, level: float = SILENT) -> int | None:
    """Index of the first run of ``seconds`` of ``|x| < level`` in ``x``, if any."""
    quiet = np.abs(x) < level
    need = int(seconds * RATE)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start >= need:
            return int(start)
    return None


def speaking_points(sound: np.ndarray, *, lo: float, hi: float) -> np.ndarray:
    """Seconds into ``sound`` around which it speaks with no pause longer than 60 ms from
    ``lo`` before to ``hi`` after: where a stop can be seen."""
    loud = frame_rms(sound) > 0.01
    quiet_run = np.zeros(len(loud), int)
    run = 0
    for i, on in enumerate(loud):
        run = 0 if on else run + 1
        quiet_run[i] = run
    bad = quiet_run > 6
    points = []
    # From 4 s on: the bench sees a routine begin once 1.5 s of it has played, and a phrase
    # meant for sooner would be said late.
    for i in range(int(4.0 * 100), len(loud) - int(hi * 100)):
        if loud[i] and not bad[i - int(lo * 100):i + int(hi * 100)].any():
            points.append(i / 100)
    return np.array(points)


@dataclass
class Trial:
    routine: str
    at: float  # seconds into the routine at which the phrase should end
    command: str = "pause"
    latency_ms: float | None = None  # phrase end to silence at the speaker
    outcome: str = ""  # paused | went on | missed | unclear: ...
    resumed: bool | None = None
    resume_ms: float | None = None
    #: Where the phrase really ended against where it was meant to (the bench said it late
    #: when it was busy; the person's channel is what counts).
    off_ms: float | None = None


class Bench:
    def __init__(self, args: argparse.Namespace, room: Room, live: Running, config,
                 rec: Recording, store: Path):
        self.args, self.room, self.live, self.config, self.rec = args, room, live, config, rec
        # The assistant's own renderings, from its cache (the natural voice differs a little
        # each time it renders a text).
        self.voice = configured_voice(config, store=store)
        self.rng = random.Random(args.seed)
        self.echo = 10 ** (args.echo_db / 20) if args.echo_db is not None else 0.0
        self.commands = commands(args)
        self.clips: dict[str, list[Path]] = {}
        self.starts_said = 0  # start phrases the bench has said
        for word in self.commands.values():
            clips = sorted((SHARED / "keywords" / word).glob("*.wav"))
            if not clips:
                raise SystemExit(f"no recordings of '{word}' in {SHARED / 'keywords'}")
            self.rng.shuffle(clips)
            self.clips[word] = clips
        opening = fill(config.scripts["pause"][0].say, {"name": config.name})
        self.pause_opening = self.voice.say(opening)
        self.phrases = {name: self.synth(config.words[intent][0]) for name, intent in
                        [("body_scan", "body_scan"), ("ground", "ground"),
                         ("breathing", "breathe"), ("resume", "resume")]}

    def synth(self, text: str) -> np.ndarray:
        """A start phrase as a person might say it (flite), at 16 kHz."""
        out = Path(tempfile.mkstemp(suffix=".wav")[1])
        subprocess.run(["flite", "-voice", "rms", "-t", text, "-o", str(out)], check=True)
        sound = read_wav(out, IN_RATE)
        out.unlink()
        return sound

    def level(self, sound: np.ndarray, rms: float) -> np.ndarray:
        """``sound`` scaled so its speech (its loud 10 ms frames) has this RMS."""
        frames = frame_rms(sound)
        loud = frames[frames > 0.1 * frames.max()]
        return sound * (rms / float(np.sqrt(np.mean(loud ** 2))))

    def speech_rms(self, sound: np.ndarray) -> float:
        frames = frame_rms(sound)
        return float(np.sqrt(np.mean(frames[frames > 0.01] ** 2)))

    def now_index(self) -> int:
        return len(self.rec.samples)

    def wall(self, index: int) -> float:
        """The monotonic time at which recording ``index`` comes, reckoned from the newest
        sample (the room's clock and the bench's drift apart over a long run)."""
        frames, newest = self.rec.clock()
        return newest + (index - frames) / RATE

    def say(self, sound: np.ndarray, rms: float, *, wait: bool = True) -> None:
        self.room.say(self.level(sound, rms), IN_RATE, wait=wait)

    def start_routine(self, name: str, sound: np.ndarray) -> int | None:
        """Say the routine's phrase; the recording index where its rendering began."""
        lead = int(np.flatnonzero(frame_rms(sound) > 0.01)[0]) * FRAME
        for attempt in range(2):
            said_at = self.now_index()
            # Over the echo of whatever plays now, as loud as the routine's speech.
            self.say(self.phrases[name], self.speech_rms(sound))
            self.starts_said += 1
            deadline = time.monotonic() + 8.0
            while time.monotonic() < deadline:
                time.sleep(0.25)
                at = begins(self.rec.samples[said_at:, 1], sound, lead)
                if at is not None:
                    return said_at + at
        return None

    def trial(self, index: int) -> Trial:
        name = ROUTINES[index % len(ROUTINES)]
        command = list(self.commands)[index % len(self.commands)]
        word = self.commands[command]
        program = render(name, self.config, self.voice, now=dt.datetime.now())
        sound = program.sound
        points = speaking_points(sound[:int(40 * RATE)], lo=0.5, hi=0.6)
        at = float(self.rng.choice(points)) if len(points) else 3.0
        trial = Trial(name, at, command)
        logged = len(self.live.log())
        start = self.start_routine(name, sound)
        if start is None:
            trial.outcome = "unclear: the routine did not start"
            return trial
        clips = self.clips[word]
        clip = read_wav(clips[(index // len(self.commands)) % len(clips)], IN_RATE)
        end = speech_end(clip)
        speech = self.speech_rms(sound)
        rms = speech * self.echo * 10 ** (-self.args.below / 20) if self.echo else speech
        clip = self.level(clip, rms)
        when = self.wall(start) + at - end
        time.sleep(max(0.0, when - time.monotonic()))
        self.room.say(clip, IN_RATE, wait=False)
        time.sleep(max(0.0, when + len(clip) / IN_RATE - time.monotonic()) + 4.0)
        if command != "pause":
            self.acted(trial, start, clip, end, self.live.log()[logged:])
            return trial
        stop = self.measure(trial, start, sound, clip, end)
        if trial.outcome == "paused" and stop is not None:
            self.resume(trial, program, stop)
        return trial

    def acted(self, trial: Trial, start: int, clip: np.ndarray, end: float,
              events: list[dict]) -> None:
        """A command other than pause: acted on if its trigger was logged within four seconds
        of the phrase's end (the log's clock set against the recording's by where the
        routine began in both); ``latency_ms``, from the end of the phrase to the trigger."""
        begun = [e for e in events if e["event"] == "routine_start"]
        if not begun:
            trial.outcome = "unclear: no routine_start logged"
            return
        offset = start / RATE - begun[0]["t"]  # recording seconds at log time 0
        near = start + int((trial.at - 2.0) * RATE)
        said, _ = best_match(self.rec.samples[near:near + int(10 * RATE), 2],
                             resample(clip, IN_RATE, RATE))
        phrase_end = (near + said) / RATE + end - offset  # in the log's seconds
        trial.off_ms = round(((near + said) / RATE + end - start / RATE - trial.at) * 1000, 1)
        acted = [e for e in events if e["event"] == "trigger" and e["intent"] == trial.command
                 and phrase_end - 1.0 <= e["t"] <= phrase_end + 4.0]
        ignored = [e for e in events if e["event"] == "ignored"
                   and phrase_end - 1.0 <= e["t"] <= phrase_end + 4.0
                   and e["phrase"] == self.commands[trial.command]]
        if acted:
            trial.outcome = "acted on"
            trial.latency_ms = round((acted[0]["t"] - phrase_end) * 1000, 1)
        else:
            trial.outcome = f"ignored ({ignored[0]['evidence']})" if ignored else "missed"

    def measure(self, trial: Trial, start: int, sound: np.ndarray, clip: np.ndarray,
                end: float) -> int | None:
        """The trial's latency and outcome; where in the rendering it stopped."""
        rec = self.rec.samples
        near = start + int((trial.at - 2.0) * RATE)
        region = rec[near:near + int(10 * RATE)]
        voice = resample(clip, IN_RATE, RATE)
        said, _ = best_match(region[:, 2], voice)
        phrase_end = near + said + int(end * RATE)
        trial.off_ms = round((phrase_end - start - trial.at * RATE) / RATE * 1000, 1)
        look, limit = phrase_end - RATE // 2, phrase_end + 3 * RATE
        while True:
            quiet = silent_run(rec[look:limit, 1], seconds=0.2)
            if quiet is None:
                trial.outcome = "missed"
                return None
            stop = look + quiet
            # Where the routine was: the half second before the stop, found in its rendering
            # near where it was due (short, so that a late callback's gap does not spoil it).
            before = rec[stop - RATE // 2:stop - RATE // 50, 1]
            expected = stop - start - len(before) - RATE // 50
            lo = max(0, expected - 3 * RATE)
            pos, similarity = best_match(sound[lo:expected + 3 * RATE + len(before)], before)
            if similarity < 0.9:
                trial.outcome = f"unclear: what played was not the routine ({similarity:.2f})"
                return None
            pos += lo + len(before) + RATE // 50  # the stop, in the rendering
            if frame_rms(sound[pos:pos + 3 * FRAME]).max() >= 0.01:
                break  # silent where the routine speaks: it stopped there
            # One of its own pauses: the stop is seen where its next sound was due and did
            # not come (a stop inside the pause counts from the pause's end, never sooner).
            due = np.flatnonzero(frame_rms(sound[pos:]) > 0.01)
            if not len(due):
                trial.outcome = "unclear: the routine ended there"
                return None
            due_at = stop + int(due[0]) * FRAME
            if due_at + RATE // 10 > len(rec):
                trial.outcome = "unclear: the routine's next sound was due after the recording"
                return None
            if frame_rms(rec[due_at:due_at + RATE // 10, 1]).max() < SILENT:
                stop, pos = due_at, pos + int(due[0]) * FRAME
                break
            look = due_at  # it went on after its pause: look again from there
        trial.latency_ms = round((stop - phrase_end) / RATE * 1000, 1)
        after = rec[stop:stop + int(4 * RATE), 1]
        _, alike = best_match(after, self.pause_opening[:RATE])
        trial.outcome = "paused" if alike > 0.9 else "went on" if \
            frame_rms(after[int(0.5 * RATE):]).max() > 0.01 else "stopped"
        return pos

    def resume(self, trial: Trial, program: Program, stop: int) -> None:
        """Say the resume phrase right after the pause routine began: the routine comes back
        from the start of the section it was stopped in. ``resume_ms``: from the end of the
        phrase to the section playing again (the check's answer included)."""
        phrase = self.phrases["resume"]
        said_at = self.now_index()
        self.say(phrase, self.speech_rms(program.sound))
        time.sleep(4.0)
        rec = self.rec.samples[said_at:]
        said, _ = best_match(rec[:, 2], resample(phrase, IN_RATE, RATE))
        phrase_end = said + int(speech_end(phrase) * RATE)
        section = program.marks[program.section_at(stop)].start
        loud = section + int(np.flatnonzero(frame_rms(program.sound[section:]) > 0.01)[0]) * FRAME
        at, similarity = best_match(rec[phrase_end:, 1], program.sound[loud:loud + RATE // 2])
        trial.resumed = similarity > 0.95
        if trial.resumed:
            trial.resume_ms = round((at - (loud - section)) / RATE * 1000, 1)

    def own_routines(self, minutes: float) -> dict:
        """Its own routines, back to back with the echo; departures from their renderings."""
        played = 0.0
        departures: list[dict] = []
        before, said = len(self.live.triggers()), self.starts_said
        i = 0
        while played < minutes * 60:
            name = ROUTINES[i % len(ROUTINES)]
            i += 1
            sound = render(name, self.config, self.voice, now=dt.datetime.now()).sound
            start = self.start_routine(name, sound)
            if start is None:
                departures.append({"routine": name, "at": 0.0, "what": "did not start"})
                continue
            # Its end, and a little more: late callbacks leave it running behind.
            time.sleep(max(0.0, self.wall(start) + len(sound) / RATE + 3.0 - time.monotonic()))
            got = self.rec.samples[start:start + len(sound) + 2 * RATE, 1]
            played += len(sound) / RATE
            for at in departed(got, sound):
                departures.append({"routine": name, "at": at})
        extra = len(self.live.triggers()) - before - (self.starts_said - said)
        return {"minutes": round(played / 60, 1), "departures": departures,
                "triggers_not_said": extra,
                "per_hour": round(len(departures) / (played / 3600), 1) if played else None}


def begins(played: np.ndarray, sound: np.ndarray, lead: int) -> int | None:
    """Where in ``played`` the rendering ``sound`` (its speech from ``lead``) began, once
    its first 1.5 s have played. Three 0.4 s pieces of that speech must each be found,
    at their places give or take 60 ms: a speaker callback that came late leaves a gap of
    a few milliseconds, which would spoil one long comparison."""
    piece, slack = int(0.4 * RATE), int(0.06 * RATE)
    if len(played) < lead + int(1.5 * RATE) + RATE // 2:
        return None
    first, similarity = best_match(played, sound[lead:lead + piece])
    if similarity < 0.9:
        return None
    for later in (int(0.5 * RATE), int(1.0 * RATE)):
        near = played[max(0, first + later - slack):first + later + piece + slack]
        if len(near) < piece or best_match(near, sound[lead + later:lead + later + piece])[1] < 0.9:
            return None
    return first - lead


def departed(got: np.ndarray, sound: np.ndarray) -> list[float]:
    """Seconds at which the recording stops matching the rendering, one per stretch: two
    0.5 s windows in a row, of those where the rendering speaks, whose sound is not found
    in the recording within half a second of where the last window was found. A late
    callback delays what follows by a few milliseconds and spoils one window at most; a
    stop, a pause or another routine leaves the rest missing."""
    n, slack = RATE // 2, RATE // 2
    found: list[float] = []
    missing: list[int] = []  # the loud windows missing in a row, where they begin
    late = 0  # how far behind the rendering the recording runs, as last found
    for i in range(0, len(sound) - n, n):
        want = sound[i:i + n]
        if np.sqrt(np.mean(want.astype(np.float64) ** 2)) <= 0.01:
            continue  # the rendering is quiet here: nothing to compare
        lo = max(0, i + late - slack)
        near = got[lo:i + late + n + slack]
        at, similarity = best_match(near, want) if len(near) >= n else (0, 0.0)
        if similarity >= 0.9:
            missing, late = [], lo + at - i
            continue
        missing.append(i)
        if len(missing) == 2:
            found.append(round(missing[0] / RATE, 1))
    return found


def commands(args: argparse.Namespace) -> dict[str, str]:
    """Each command tried and the word (a ``keywords/`` folder) said for it."""
    if not args.commands:
        return {"pause": args.pause_word}
    pairs = dict(item.split("=", 1) for item in args.commands.split(","))
    if "pause" in pairs:
        args.pause_word = pairs["pause"]
    return pairs


def summary(trials: list[Trial]) -> dict:
    others = [t for t in trials if t.command != "pause"]
    trials = [t for t in trials if t.command == "pause"]
    lat = np.array([t.latency_ms for t in trials if t.latency_ms is not None])
    heard = [t for t in trials if not t.outcome.startswith("unclear")]
    resumed = [t for t in trials if t.resumed is not None]
    resume_ms = [t.resume_ms for t in resumed if t.resume_ms is not None]
    return {
        "trials": len(trials), "measured": len(lat),
        "median_ms": round(float(np.median(lat)), 1) if len(lat) else None,
        "p95_ms": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
        "max_ms": round(float(lat.max()), 1) if len(lat) else None,
        "paused": sum(t.outcome == "paused" for t in heard), "of": len(heard),
        "resumed": sum(bool(t.resumed) for t in resumed), "resume_tries": len(resumed),
        "resume_median_ms": round(float(np.median(resume_ms)), 1) if resume_ms else None,
        "outcomes": [t.outcome for t in trials],
        "said_off_ms": [t.off_ms for t in trials],
        "commands": {c: {"acted_on": sum(t.outcome == "acted on" for t in ts), "of": len(ts),
                         "median_ms": float(np.median([t.latency_ms for t in ts
                                                       if t.latency_ms is not None]))
                         if any(t.latency_ms is not None for t in ts) else None,
                         "outcomes": [t.outcome for t in ts]}
                     for c in dict.fromkeys(t.command for t in others)
                     for ts in [[t for t in others if t.command == c]]},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--trials", type=int, default=24)
    p.add_argument("--echo-db", type=float, help="the speaker's echo at the microphone, dB")
    p.add_argument("--echo-ms", type=int, default=0,
                   help="the echo this much later than the speaker (a loopback; 0: none "
                   "beyond the sound card's own buffers)")
    p.add_argument("--below", type=float, default=6.0,
                   help="dB the person speaks under the echo")
    p.add_argument("--minutes", type=float, default=0.0,
                   help="also play its own routines this long and count departures")
    p.add_argument("--pause-word", default="computer",
                   help="a keywords/ folder: its recordings say the pause phrase")
    p.add_argument("--commands", help="commands to try in turn, each with the keywords/ word "
                   "said for it, e.g. pause=computer,help=jarvis,quiet=alexa")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, help="save the room's recording here (WAV, 3 ch)")
    p.add_argument("--events", type=Path, help="keep the assistant's event log here (JSONL)")
    p.add_argument("--no-ear", action="store_true",
                   help="listen.fast_stop off: no ear learned for the pause phrase")
    p.add_argument("--store", type=Path, help="the assistant's data folder (default: a new "
                   "one); the pause phrase's ear is learned there first unless --no-ear")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    data = yaml.safe_load(args.config.read_text())
    for command, word in commands(args).items():
        for phrases in data["listen"]["words"].values():
            if word in phrases:
                phrases.remove(word)
        data["listen"]["words"][command] = [word]
    data["listen"]["fast_stop"] = not args.no_ear
    learning = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = args.store or folder / "store"
        config_path = folder / "config.yaml"
        config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        config, _ = config_module.load(config_path)
        if not args.no_ear:  # before the trials: learning while they run would slow them
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "assistant", "learn", "--config",
                            str(config_path)], check=True, capture_output=True,
                           env=os.environ | {"GROUNDING_DATA": str(store)})
            learning = round(time.monotonic() - started, 1)
        with Room(folder / "pulse", echo_db=args.echo_db, echo_ms=args.echo_ms) as room:
            rec = Recording(room)
            room.say(np.zeros(IN_RATE // 10, np.float32), IN_RATE)  # the first play is slow
            live = Running(room, config_path, folder, {"GROUNDING_DATA": str(store)})
            # The bench's own work (finding sounds in a recording that grows to an hour) runs
            # beside the assistant it measures: this thread, and what it starts from now on
            # (the person's voice), yields the processor to it.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
            bench = Bench(args, room, live, config, rec, store)
            trials: list[Trial] = []
            own = None
            try:
                for i in range(args.trials):
                    trials.append(bench.trial(i))
                    t = trials[-1]
                    print(f"  {i + 1:2d} {t.routine:9s} {t.command:6s} at {t.at:5.2f}s  "
                          f"{t.outcome:10s} "
                          f"{t.latency_ms} ms  resumed={t.resumed} {t.resume_ms}  "
                          f"(said {t.off_ms} ms off)",
                          file=sys.stderr)
                if args.minutes:
                    own = bench.own_routines(args.minutes)
            finally:
                code = live.stop(30)
                samples = rec.close()
                if args.keep:
                    import wave
                    with wave.open(str(args.keep), "wb") as w:
                        w.setnchannels(3)
                        w.setsampwidth(2)
                        w.setframerate(RATE)
                        w.writeframes(np.clip(np.round(samples * 32767), -32768, 32767)
                                      .astype("<i2").tobytes())
        # How the sound card kept up, as the assistant itself counted (its last event).
        lines = live.events.read_text().splitlines()
        if args.events:
            args.events.write_text("\n".join(lines) + "\n")
        audio = [e for e in map(json.loads, lines) if e["event"] == "audio"]
    result = {"echo_db": args.echo_db, "echo_ms": args.echo_ms if args.echo_db else None,
              "below_db": args.below if args.echo_db else None, **summary(trials),
              "own_routines": own, "audio": audio[-1] if audio else None, "exit": code,
              "ear": not args.no_ear, "ear_learning_s": learning}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            if key != "outcomes":
                print(f"{key:18s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
