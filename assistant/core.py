"""What the assistant decides: hear a phrase, act on it, keep listening.

The ``Assistant`` is fed input audio chunk by chunk. Its clock is the amount
of audio it has been fed, so a file replayed as fast as possible behaves
exactly like the live microphone. What it says goes to a ``Player``, which a
speaker callback or a WAV recorder drains.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, TextIO

import numpy as np

from .deciding.own_voice import OwnVoice, Verdict
from .espeak import EspeakError
from .hearing.base import Detection, Recogniser
from .settings import RATINGS, Config
from .sound import IN_RATE
from .sound.echo import EchoCanceller
from .sound.files import to_int16
from .sound.player import Player
from .sound.reference import Reference
from .speaking.answers import ANSWERS, GAP, chime, greeting
from .speaking.pacer import clamp_pace
from .speaking.routines import render, render_all
from .speaking.timeline import Program
from .speaking.voice import Voice, VoiceError
from .speaking.words import fill

#: How much each "slower" / "faster" changes the pace or the silences.
STEP_FACTOR = 1.1
#: A "repeat" this close to a section's start goes back one more section.
REPEAT_GRACE = 1.0
#: A voice stopped on a first-stage candidate goes on by itself after this many seconds if no
#: check has answered (the check normally answers within one).
HOLD_LIMIT = 3.0
#: Phrases that, said while a check-in waits, take the place of the routine it was asked for
#: (any other is answered, and the routine starts all the same).
INSTEAD = ("pause", "help", "quiet", "resume", "breathe", "body_scan", "ground",
           "what_can_i_say")
#: How a routine's end is kept in the journal, by the reason it ended.
ENDED = {"finished": "finished", "pause": "paused", "quiet": "quiet", "help": "help"}


class State(Enum):
    IDLE = "idle"
    PLAYING = "playing"
    HELD = "held"
    """Stopped on a candidate pause phrase; the second stage's check will say whether to go
    on (exactly where it stopped) or to run the pause routine."""


@dataclass
class Asking:
    """A check-in waiting for a rating from 0 to 10."""

    when: str
    """``before`` a routine (which starts once answered, or once the wait is over) or
    ``after`` one (whose journal record waits for the answer)."""
    routine: str
    until: float
    """Seconds of audio: with no answer by then, it asks once more, briefly, then goes on
    without one."""
    record: dict | None = None
    again: bool = True
    """Whether it may still ask once more."""


@dataclass
class Running:
    """The routine on the player and how it was rendered."""

    program: Program
    options: dict = field(default_factory=dict)


class EventLog:
    """One JSON object per line, each with ``t`` in seconds of audio time; the newest
    ``KEPT`` are also kept in ``events``."""

    KEPT = 10000

    def __init__(self, stream: TextIO | None = None, *, echo: bool = False):
        self.stream, self.echo = stream, echo
        self.events: collections.deque[dict] = collections.deque(maxlen=self.KEPT)

    def __call__(self, t: float, event: str, **fields: Any) -> None:
        record = {"t": round(t, 3), "event": event} | fields
        self.events.append(record)
        if self.stream:
            self.stream.write(json.dumps(record) + "\n")
            self.stream.flush()
        if self.echo:
            detail = " ".join(f"{k}={v}" for k, v in fields.items())
            print(f"[{t:8.2f}s] {event} {detail}", file=sys.stderr)


class Assistant:
    def __init__(self, config: Config, *, recogniser: Recogniser, voice: Voice, player: Player,
                 log: Callable[..., None], clock: Callable[[], dt.datetime] = dt.datetime.now,
                 cancel_echo: bool | None = None,
                 journal: Callable[[dict], None] = lambda record: None):
        self.config, self.recogniser, self.voice = config, recogniser, voice
        self.player, self.log, self.clock = player, log, clock
        self.journal = journal  # is handed each session's record as it closes
        self.intents = intents_of(config)
        self._asking: Asking | None = None
        self.session: dict | None = None  # the routine playing, as the journal will keep it
        self.rating_before: int | None = None  # for the routine about to start
        self.chime = chime() if config.chime else np.zeros(0, np.float32)
        self._ack: np.ndarray | None = None  # the chime, until the answer to a phrase plays
        #: Short answers and announcements said (start, end in seconds, text), so that the
        #: assistant does not take its own words for the user's.
        self.replies: collections.deque[tuple[float, float, str]] = collections.deque(maxlen=16)
        self.samples = 0
        self.state = State.IDLE
        self.running: Running | None = None
        self.interrupted: tuple[Running, int] | None = None  # routine and section to resume
        self.held_at = 0  # where the voice stopped when HELD (samples), and when (seconds)
        self.held_since = 0.0
        self.saying = ""  # the words of the section playing now
        self.acted: dict[str, float] = {}  # phrase -> end of the saying last acted on
        # The evidence of its own voice: the same recogniser, eagerly, on what the assistant
        # itself plays (which reaches the microphone), what it says, and the echo canceller,
        # which measures its echo in the microphone and takes it out...
        self.echo = recogniser.eager()
        self.own = OwnVoice()
        self.reference = Reference(player.rate)
        self.canceller = EchoCanceller()
        #: Seconds of microphone sound waiting behind the chunk being fed (live: the queue of
        #: a loop that fell behind; set by the app).
        self.queued: Callable[[], float] = lambda: 0.0
        # ...before listening for words, by default where that helps the recogniser.
        self.hear_cancelled = recogniser.echo_cancel if cancel_echo is None else cancel_echo
        self.handlers = self.make_handlers()

    @property
    def asking(self) -> Asking | None:
        """The check-in waiting for a rating, if one is (the recogniser is told what answers
        it waits for)."""
        return self._asking

    @asking.setter
    def asking(self, asking: Asking | None) -> None:
        self._asking = asking
        self.recogniser.expect(RATINGS if asking is not None else ())

    def make_handlers(self) -> dict[str, Callable[[], None]]:
        """What each intent does: the one place an intent meets its handler. A routine of
        the user's own starts like the built-in ones."""
        def starter(name: str) -> Callable[[], None]:
            return lambda: self.begin(name)

        return {
            "pause": self.on_pause, "help": self.on_help,
            "breathe": starter("breathing"), "body_scan": starter("body_scan"),
            "ground": starter("ground"),
            "resume": self.on_resume, "quiet": self.on_quiet,
            "slower": self.on_slower, "faster": self.on_faster,
            "skip": self.on_skip, "next": self.on_next, "repeat": self.on_repeat,
            "what_can_i_say": self.on_what_can_i_say,
        } | {name: starter(name) for name in self.config.own_routines}

    @property
    def sectioned(self) -> tuple[str, ...]:
        """Routines of steps that can be skipped, slowed and resumed."""
        return ("body_scan", "ground") + self.config.own_routines

    def reconfigure(self, config: Config, *, recogniser: Recogniser, voice: Voice) -> None:
        """A new configuration (already checked), used from the next routine on; what plays
        now plays on. A new recogniser starts hearing at the same point of the audio."""
        if recogniser is not self.recogniser:
            recogniser.starting_at(self.recogniser.samples)
            self.echo = recogniser.eager().starting_at(self.echo.samples)
        self.config, self.recogniser, self.voice = config, recogniser, voice
        self.intents = intents_of(config)
        self.chime = chime() if config.chime else np.zeros(0, np.float32)
        self.handlers = self.make_handlers()
        self.prepare()

    @property
    def now(self) -> float:
        return self.samples / IN_RATE

    def prepare(self) -> None:
        """Synthesise every routine and answer once, so a trigger can speak at once."""
        render_all(self.config, self.voice, now=self.clock())
        for text in ANSWERS.values():
            self.voice.say(text)

    # -- the loop ---------------------------------------------------------------------------
    def feed(self, chunk: np.ndarray) -> None:
        """Listen to one chunk of 16 kHz int16 audio and act on what was heard."""
        n, played = len(chunk), self.played_during(len(chunk))
        found = self.echo.feed(played)
        if self.state is not State.HELD:  # a voice cut off at a candidate is no phrase
            self.own.played(found)
        cancelled = self.canceller.process(chunk, played)  # whole 10 ms blocks; a rest waits
        if moved := self.reference.move():  # from the next chunk on
            self.canceller.shift(moved)
        detections = self.recogniser.feed(cancelled if self.hear_cancelled else chunk)
        self.samples += n
        self.note_what_is_said()
        for d in detections:
            if d.kind == "rejected":  # "it was not said" is never its own voice
                self.on_rejected(d)
                continue
            verdict = self.own.judge(d, intent=self.intents[d.phrase], echo=self.canceller)
            if verdict.own:
                self.log(d.time, "ignored", phrase=d.phrase, reason="own voice",
                         evidence=verdict.evidence, kind=d.kind, times=d.count,
                         start=round(d.start, 2), end=round(d.end, 2), **verdict.measured())
            elif d.kind == "candidate":
                self.on_candidate(d, verdict)
            elif self.acted.get(d.phrase, -1.0) < d.start:  # not a second check of a saying
                self.hear(d, verdict)
        if self.state is State.HELD and self.now - self.held_since > HOLD_LIMIT:
            self.go_on("no answer")
        if self.asking is not None and self.now > self.asking.until:
            self.unanswered()
        self.notice_end()

    def note_what_is_said(self) -> None:
        """Keep the words of each section as it starts playing, with the time."""
        if self.running is None or self.state is not State.PLAYING:
            return
        marks = self.running.program.marks
        self.now_saying(marks[self.running.program.section_at(self.player.position)].text
                        if marks else "")

    def now_saying(self, text: str) -> None:
        """From now on the routine says ``text`` (empty: it is quiet)."""
        if text != self.saying:
            self.saying = text
            self.own.saying(self.now, text)

    def wait(self, n: int) -> None:
        """Let ``n`` samples of time pass with nothing to listen to (rendering to a file)."""
        self.player.take_played()  # no microphone, so no echo of it either
        self.samples += n
        self.notice_end()

    def notice_end(self) -> None:
        if self.running and self.state is State.PLAYING and not self.player.playing:
            name = self.running.program.name
            self.log(self.now, "routine_end", routine=name, reason="finished")
            self.state, self.running = State.IDLE, None
            self.now_saying("")
            record = self.close_session("finished")
            if record is not None and self.checks_in(name):
                self.ask("after", name, record)
            elif record is not None:
                self.journal(record)

    def played_during(self, n: int) -> np.ndarray:
        """``n`` samples (16 kHz int16) of what the player sent out, in step with the input."""
        self.reference.add(*self.player.take_played())
        return to_int16(self.reference.take(n, queued=int(self.queued() * IN_RATE)))

    @property
    def busy(self) -> bool:
        """A routine is on, an answer is still being said, or a check-in waits."""
        return self.state is not State.IDLE or self.player.playing or self.asking is not None

    # -- a first stage's candidate and the check's answer -------------------------------------
    def on_candidate(self, d: Detection, verdict: Verdict) -> None:
        """A pause phrase, not yet checked: silence at once, and wait for the answer."""
        self.log(d.time, "candidate", phrase=d.phrase, intent=self.intents[d.phrase], by=d.by,
                 **verdict.measured())
        if self.intents[d.phrase] != "pause" or self.state is not State.PLAYING:
            return
        assert self.running is not None
        self.held_at, self.held_since = self.player.stop(), self.now
        self.state = State.HELD
        self.log(self.now, "speech_stop", routine=self.running.program.name, reason="candidate")

    def on_rejected(self, d: Detection) -> None:
        self.log(d.time, "rejected", phrase=d.phrase)
        if self.state is State.HELD and self.intents[d.phrase] == "pause":
            self.go_on("not the pause phrase")

    def go_on(self, reason: str) -> None:
        """Speech held on a candidate goes on exactly where it stopped."""
        assert self.running is not None
        self.player.play(self.running.program.sound, start=self.held_at)
        self.state = State.PLAYING
        self.log(self.now, "speech_start", routine=self.running.program.name, reason=reason)

    def hear(self, d: Detection, verdict: Verdict) -> None:
        self.acted[d.phrase] = d.end
        intent = self.intents[d.phrase]
        self.log(d.time, "heard", phrase=d.phrase, start=round(d.start, 3), end=round(d.end, 3),
                 **verdict.measured())
        if intent == "rating":
            self.on_rating(d)
            return
        self.log(d.time, "trigger", intent=intent, phrase=d.phrase)
        asking = self.asking
        if asking is not None and asking.when == "before" and intent not in INSTEAD and \
                intent not in self.config.own_routines:
            # A control while it waits to start a routine: answered, then the routine starts.
            self.asking = Asking("before", asking.routine, self.now, again=False)
            self._ack = self.chime
            self.handlers[intent]()
            self._ack = None
            self.asking.until = max(self.now, self.replies[-1][1] if self.replies else 0.0)
            return
        self.drop_question()  # a phrase of any other kind goes before a check-in's answer
        if self.state is State.HELD and intent != "pause":
            self.go_on("another phrase")  # held for a pause phrase that was not one
        self._ack = self.chime  # the first sound of the answer, whatever the answer is
        self.handlers[intent]()
        self._ack = None

    def cut_reply(self) -> None:
        """A short answer still being said is cut off here (something else plays now)."""
        if self.replies and self.replies[-1][1] > self.now:
            start, _, text = self.replies[-1]
            self.replies[-1] = (start, self.now, text)

    def take_chime(self) -> np.ndarray | None:
        """The chime, if the phrase being answered has not had it yet."""
        chime, self._ack = self._ack, None
        return chime

    # -- starting and stopping --------------------------------------------------------------
    def start(self, name: str, *, at: int = 0, running: Running | None = None,
              reason: str | None = None, **options: Any) -> None:
        """Stop whatever is playing and play routine ``name`` (or an already rendered one)."""
        self.stop(reason=reason or name)
        if running is None:
            try:
                running = Running(render(name, self.config, self.voice, now=self.clock(),
                                         **options), options)
            except (VoiceError, EspeakError) as exc:
                # One failed rendering never ends the assistant: the pause routine (rendered
                # at start-up) stands in, or, if that is what failed, quiet and the log.
                self.log(self.now, "render_failed", routine=name, error=str(exc))
                if name != "pause":
                    self.start("pause", reason="fallback")
                return
        self.running, self.state = running, State.PLAYING
        self.cut_reply()
        first = self.take_chime()
        self.player.play(running.program.sound, start=at, before=first)
        begins = self.now + (len(first) / self.player.rate if first is not None else 0.0)
        self.session = {"started": self.clock().isoformat(timespec="seconds"), "routine": name,
                        "before": self.rating_before, "after": None, "from": begins}
        self.rating_before = None
        self.log(self.now, "routine_start", routine=name, seconds=round(running.program.seconds, 2))
        self.log(self.now, "speech_start", routine=name)

    def announce(self, text: str) -> None:
        """Say ``text`` now if nothing is being said (a routine is never cut off for it)."""
        if self.state is State.IDLE and not self.player.playing:
            self.reply(text, log=False)

    def greet(self) -> None:
        """Say that it is listening and how to pause (``feedback.greeting``; never in discreet
        mode)."""
        pause = self.config.words.get("pause", ())
        if self.config.greeting and pause and not self.config.discreet:
            self.announce(greeting(pause[0]))

    def spoken(self, text: str) -> np.ndarray:
        """``text`` rendered; nothing if it cannot be (the chime and the log still answer)."""
        try:
            return self.voice.say(text)
        except Exception:  # noqa: BLE001 - never stop listening for a sentence
            return np.zeros(0, np.float32)

    def reply(self, text: str, *, log: bool = True) -> None:
        """A short answer (after the chime, if the phrase has not had it yet); a routine that
        is playing stops for it and goes on from where it was."""
        self.cut_reply()
        words = self.spoken(text)
        gap = np.zeros(int(GAP * self.player.rate), np.float32)
        sound = np.concatenate([self.take_chime() if self._ack is not None else gap[:0],
                                words, gap])
        seconds = len(sound) / self.player.rate
        self.replies.append((self.now, self.now + seconds, text))
        self.own.answered(self.now, self.now + seconds, text)
        if self.running is not None and self.state is State.PLAYING:
            self.player.play(self.running.program.sound, start=self.player.position,
                             before=sound)
        else:
            self.player.play(np.zeros(0, np.float32), before=sound)
        if log:
            self.log(self.now, "answer", text=text)

    def stop(self, *, reason: str) -> int:
        """Silence now; returns how far the routine had got (samples)."""
        if self.running is None or self.state is State.IDLE:
            return 0
        name = self.running.program.name
        if self.state is State.HELD:  # already silent since the candidate
            pos = self.held_at
        else:
            pos = self.player.stop()
            self.log(self.now, "speech_stop", routine=name, reason=reason)
        self.log(self.now, "routine_end", routine=name, reason=reason)
        self.state = State.IDLE
        self.now_saying("")
        record = self.close_session(ENDED.get(reason, "stopped"))
        if record is not None:
            self.journal(record)
        return pos

    def interrupt(self, reason: str) -> None:
        """Stop, remembering a routine the user may want to go back to."""
        running = self.running
        pos = self.stop(reason=reason)
        if running and running.program.name in ("breathing",) + self.sectioned:
            self.interrupted = (running, running.program.section_at(pos))

    # -- the journal and check-ins --------------------------------------------------------------
    def close_session(self, ended: str) -> dict | None:
        """The record of the routine that just ended (how long it played, how it ended)."""
        record, self.session = self.session, None
        if record is None:
            return None
        record["seconds"] = round(self.now - record.pop("from"), 1)
        record["ended"] = ended
        return record

    def finish(self) -> None:
        """The assistant is stopping: what is open goes into the journal as it stands."""
        self.drop_question()
        if self.state is not State.IDLE:
            self.stop(reason="stopped")

    def checks_in(self, routine: str) -> bool:
        return self.config.checkins.enabled and routine in self.config.checkins.routines

    def begin(self, name: str) -> None:
        """Start routine ``name``, asking first how strong the distress is if check-ins are
        on for it (the pause and help routines never wait for one)."""
        if not self.checks_in(name):
            self.start(name, reason=name)
            return
        self.interrupt(name)
        self.ask("before", name)

    def ask(self, when: str, routine: str, record: dict | None = None, *,
            again: bool = False) -> None:
        """Ask how strong the distress is (``again``: once more, briefly)."""
        c = self.config.checkins
        self.reply(c.again if again else c.before if when == "before" else c.after, log=False)
        self.asking = Asking(when, routine, self.replies[-1][1] + c.wait, record,
                             again=not again)
        self.log(self.now, "checkin", when=when, routine=routine, **({"again": True}
                                                                       if again else {}))

    def on_rating(self, d: Detection) -> None:
        """A number heard: the answer to a check-in waiting for one, or nothing."""
        asking = self.asking
        if asking is None:
            self.log(d.time, "ignored", phrase=d.phrase, reason="no check-in asked")
            return
        self.asking = None
        rating = RATINGS.index(d.phrase)
        self.log(d.time, "rating", when=asking.when, routine=asking.routine, rating=rating)
        c = self.config.checkins
        thanks = fill(c.thanks, {"rating": d.phrase.capitalize()})
        if asking.when == "before":
            words = self.spoken(thanks)
            gap = np.zeros(int(GAP * self.player.rate), np.float32)
            self._ack = np.concatenate([self.chime, words, gap])  # said, then the routine
            said = (self.now, self.now + len(self._ack) / self.player.rate, thanks)
            self.rating_before = rating
            self.start(asking.routine, reason=asking.routine)
            self.replies.append(said)
            self.own.answered(*said)
            return
        assert asking.record is not None
        asking.record["after"] = rating
        self.journal(asking.record)
        self._ack = self.chime
        first = {intent: phrases[0] for intent, phrases in self.config.words.items()}
        offer = fill(c.offer, {"help": first.get("help", ""), "pause": first.get("pause", "")})
        self.reply(thanks + (" " + offer if rating >= c.high else ""))
        self._ack = None

    def unanswered(self) -> None:
        """No answer in time: it asks once more, briefly; still none, and before a routine it
        simply starts, after one its record is kept without the second rating."""
        asking, self.asking = self.asking, None
        assert asking is not None
        if asking.again:
            self.ask(asking.when, asking.routine, asking.record, again=True)
            return
        self.log(self.now, "rating", when=asking.when, routine=asking.routine, rating=None)
        if asking.when == "before":
            self.start(asking.routine, reason=asking.routine)
        elif asking.record is not None:
            self.journal(asking.record)

    def drop_question(self) -> None:
        """A check-in no longer waited for (another phrase, or the end); what it held is
        kept."""
        asking, self.asking = self.asking, None
        if asking is not None and asking.record is not None:
            self.journal(asking.record)

    # -- intents ----------------------------------------------------------------------------
    def on_pause(self) -> None:
        self.interrupt("pause")
        self.start("pause")

    def on_help(self) -> None:
        self.interrupt("help")
        self.start("help")

    def on_what_can_i_say(self) -> None:
        self.interrupt("phrases")
        self.start("phrases")

    def on_resume(self) -> None:
        if self.interrupted is None:
            self.reply(ANSWERS["nothing_to_resume"])
            return
        running, section = self.interrupted
        self.interrupted = None
        marks = running.program.marks
        at = marks[section].start if marks else 0
        self.start(running.program.name, at=at, running=running, reason="resume")

    def on_quiet(self) -> None:
        self.interrupted = None
        self.stop(reason="quiet")
        self.running = None
        self.reply(ANSWERS["quiet"])

    def on_next(self) -> None:
        self.jump(+1)

    def on_skip(self) -> None:
        self.jump(+1)

    def on_repeat(self) -> None:
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        program = self.running.program
        pos = self.player.position
        section = program.section_at(pos)
        if pos - program.marks[section].start < REPEAT_GRACE * self.player.rate and section:
            section -= 1  # the section just began: "repeat" means the one before
        self.seek(program.marks[section].start, "repeat")

    def on_slower(self) -> None:
        self.change_pace(STEP_FACTOR)

    def on_faster(self) -> None:
        self.change_pace(1 / STEP_FACTOR)

    def jump(self, step: int) -> None:
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        program = self.running.program
        if program.name == "breathing":
            self.reply(ANSWERS["no_skip"])
            return
        section = program.section_at(self.player.position) + step
        if section >= len(program.marks):
            self.stop(reason="skip")
            self.running = None
            self.reply(ANSWERS["last_part"])
            return
        self.seek(program.marks[section].start, "skip")

    def seek(self, at: int, reason: str) -> None:
        assert self.running is not None, "only what is playing can move"
        self.cut_reply()
        self.player.play(self.running.program.sound, start=at, before=self.take_chime())
        self.log(self.now, "seek", routine=self.running.program.name, reason=reason,
                 to=round(at / self.player.rate, 2))

    def change_pace(self, factor: float) -> None:
        """Slower or faster from the next section (or breath) on, within safe limits."""
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        old = self.running
        name = old.program.name
        if name not in ("breathing",) + self.sectioned:
            self.reply(ANSWERS["no_pace"])
            return
        options = dict(old.options)
        key = "pace" if name == "breathing" else "wait_scale"
        was = options.get(key, 1.0)
        wanted = was * factor
        if name == "breathing":
            phases = self.config.breathing.patterns[options.get("pattern")
                                                    or self.config.breathing.pattern]
            wanted = clamp_pace(phases, wanted)
        else:
            wanted = min(max(wanted, 0.5), 3.0)
        if abs(wanted - was) < 1e-6:
            self.reply(ANSWERS["slowest" if factor > 1 else "fastest"])
            return
        options[key] = wanted
        if name == "breathing":
            # Keep the number of breaths left the same whatever the pace.
            breaths = sum(m.label.startswith("breath") for m in old.program.marks)
            options.setdefault("cycles", breaths)
            options.pop("minutes", None)
        index = old.program.section_at(self.player.position) + 1
        if index >= len(old.program.marks):
            self.reply(ANSWERS["no_change_left"])  # in the last section: nothing to change
            return
        new = render(name, self.config, self.voice, now=self.clock(), **options)
        program = old.program.splice(index, new)
        self.running = Running(program, options)
        self.player.replace(program.sound)
        self.log(self.now, "pace", routine=name, **{key: round(wanted, 3)})
        self.reply(ANSWERS["slower" if factor > 1 else "faster"])


def intents_of(config: Config) -> dict[str, str]:
    """Each phrase listened for, and what it asks for (a check-in's answers: ``rating``)."""
    intents = {p: intent for intent, ps in config.words.items() for p in ps}
    return intents | {r: "rating" for r in config.listened if r not in intents}
