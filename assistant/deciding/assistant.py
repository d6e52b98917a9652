"""The assistant: each intent meets its handler here, and a phrase heard is acted on."""
from __future__ import annotations

from typing import Callable

from ..hearing.base import Detection
from .checkins import CheckIns
from .controls import Controls
from .events import Heard, Trigger
from .own_voice import Verdict
from .state import Asking, State

#: Phrases that, said while a check-in waits, take the place of the routine it was asked for
#: (any other is answered, and the routine starts all the same).
INSTEAD = ("pause", "help", "quiet", "resume", "breathe", "body_scan", "ground",
           "what_can_i_say")


class Assistant(CheckIns, Controls):
    """The whole of what it decides: ``Machine`` (hearing, holding, starting and stopping),
    ``Controls`` (each control) and ``CheckIns``, met here."""

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

    def hear(self, d: Detection, verdict: Verdict) -> None:
        self.acted[d.phrase] = d.end
        intent = self.intents[d.phrase]
        self.log(d.time, Heard(phrase=d.phrase, start=round(d.start, 3), end=round(d.end, 3),
                               echo=verdict.measured()))
        if intent == "rating":
            self.on_rating(d)
            return
        self.log(d.time, Trigger(intent=intent, phrase=d.phrase))
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
