"""What the assistant decides, at its heart: fed input audio chunk by chunk, it hears
phrases, holds its voice on a first stage's candidate, starts and stops routines and says
short answers.

Its clock is the amount of audio it has been fed, so a file replayed as fast as possible
behaves exactly like the live microphone. What it says goes to a ``Player``, which a
speaker callback or a WAV recorder drains. What each intent does (``controls.py``), the
check-ins (``checkins.py``) and the meeting of the two (``assistant.py``) build on it.
"""
from __future__ import annotations

import collections
import datetime as dt
from typing import Any, Callable

import numpy as np

from ..espeak import EspeakError
from ..hearing.base import Detection, Recogniser
from ..settings import RATINGS, Config
from ..sound import IN_RATE
from ..sound.echo import EchoCanceller
from ..sound.files import to_int16
from ..sound.player import Player
from ..sound.reference import Reference
from ..speaking.answers import ANSWERS, GAP, chime, greeting
from ..speaking.routines import render
from ..speaking.voice import Voice, VoiceError
from . import events
from .events import Log
from .own_voice import OwnVoice, Verdict
from .state import Asking, Running, State

#: A voice stopped on a first-stage candidate goes on by itself after this many seconds if no
#: check has answered (the check normally answers within one).
HOLD_LIMIT = 3.0
#: The routines rendered first.
URGENT = ("pause", "help")
#: How a routine's end is kept in the journal, by the reason it ended.
ENDED = {"finished": "finished", "pause": "paused", "quiet": "quiet", "help": "help"}


class Machine:
    def __init__(self, config: Config, *, recogniser: Recogniser, voice: Voice, player: Player,
                 log: Log, clock: Callable[[], dt.datetime] = dt.datetime.now,
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
        # ...before listening for words, by default where that helps the recogniser.
        self.hear_cancelled = recogniser.echo_cancel if cancel_echo is None else cancel_echo
        #: Seconds of microphone sound waiting behind the chunk being fed (live: the queue of
        #: a loop that fell behind; set by the app).
        self.queued: Callable[[], float] = lambda: 0.0
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

    def prepare(self, *, ahead: float = 0.0) -> None:
        """Synthesise every answer and routine once (the pause and help routines first), so a
        trigger can speak at once and rendering never holds up the listening. The natural
        voice takes about a minute for all of them on the first start; later starts find
        them in its cache. ``ahead``: as they will be said that many seconds from now (a
        routine with the date or the time in it changes as the day goes on)."""
        config, voice = self.config, self.voice
        pause = config.words.get("pause", ())
        for text in (*ANSWERS.values(), *(greeting(p) for p in pause[:1])):
            voice.say(text)
        now = self.clock() + dt.timedelta(seconds=ahead)
        for name in sorted(config.routines, key=lambda name: name not in URGENT):
            render(name, config, voice, now=now)

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
        self.recogniser.playing(bool(played.any()))
        detections = self.recogniser.feed(cancelled if self.hear_cancelled else chunk)
        self.samples += n
        self.note_what_is_said()
        for d in detections:
            if d.kind == "rejected":  # "it was not said" is never its own voice
                self.on_rejected(d)
                continue
            verdict = self.own.judge(d, intent=self.intents[d.phrase], echo=self.canceller)
            if verdict.own:
                self.log(d.time, events.Ignored(
                    phrase=d.phrase, evidence=verdict.evidence, kind=d.kind, times=d.count,
                    start=round(d.start, 2), end=round(d.end, 2), echo=verdict.measured()))
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
            self.log(self.now, events.RoutineEnd(routine=name, reason="finished"))
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
        self.log(d.time, events.Candidate(phrase=d.phrase, intent=self.intents[d.phrase],
                                          by=d.by, echo=verdict.measured()))
        if d.phrase not in self.config.stopping or self.state is not State.PLAYING:
            return
        assert self.running is not None
        self.held_at, self.held_since = self.player.stop(), self.now
        self.state = State.HELD
        self.log(self.now, events.SpeechStop(routine=self.running.program.name, reason="candidate"))

    def on_rejected(self, d: Detection) -> None:
        self.log(d.time, events.Rejected(phrase=d.phrase))
        if self.state is State.HELD and d.phrase in self.config.stopping:
            self.go_on("not the pause phrase")

    def go_on(self, reason: str) -> None:
        """Speech held on a candidate goes on exactly where it stopped."""
        assert self.running is not None
        self.player.play(self.running.program.sound, start=self.held_at)
        self.state = State.PLAYING
        self.log(self.now, events.SpeechStart(routine=self.running.program.name, reason=reason))

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
                self.log(self.now, events.RenderFailed(routine=name, error=str(exc)))
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
        seconds = round(running.program.seconds, 2)
        self.log(self.now, events.RoutineStart(routine=name, seconds=seconds))
        self.log(self.now, events.SpeechStart(routine=name))

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
            self.log(self.now, events.Answer(text=text))

    def stop(self, *, reason: str) -> int:
        """Silence now; returns how far the routine had got (samples)."""
        if self.running is None or self.state is State.IDLE:
            return 0
        name = self.running.program.name
        if self.state is State.HELD:  # already silent since the candidate
            pos = self.held_at
        else:
            pos = self.player.stop()
            self.log(self.now, events.SpeechStop(routine=name, reason=reason))
        self.log(self.now, events.RoutineEnd(routine=name, reason=reason))
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

    # -- what the layers above provide ----------------------------------------------------------
    def make_handlers(self) -> dict[str, Callable[[], None]]:
        raise NotImplementedError

    def hear(self, d: Detection, verdict: Verdict) -> None:
        raise NotImplementedError

    def checks_in(self, routine: str) -> bool:
        raise NotImplementedError

    def ask(self, when: str, routine: str, record: dict | None = None, *,
            again: bool = False) -> None:
        raise NotImplementedError

    def unanswered(self) -> None:
        raise NotImplementedError

    def drop_question(self) -> None:
        raise NotImplementedError


def intents_of(config: Config) -> dict[str, str]:
    """Each phrase listened for, and what it asks for (a check-in's answers: ``rating``)."""
    intents = {p: intent for intent, ps in config.words.items() for p in ps}
    return intents | {r: "rating" for r in config.listened if r not in intents}
