"""Check-ins: how strong the distress is, 0 to 10, asked before and after a routine."""
from __future__ import annotations

import numpy as np

from ..hearing.base import Detection
from ..settings import RATINGS
from ..speaking.answers import GAP
from ..speaking.words import fill
from .events import CheckIn, NotAsked, Rating
from .machine import Machine
from .state import Asking


class CheckIns(Machine):
    """Asking before a routine (which starts once answered) and after one (whose journal
    record waits for the answer), once more briefly if unanswered."""

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
        self.log(self.now, CheckIn(when=when, routine=routine, again=True if again else None))

    def on_rating(self, d: Detection) -> None:
        """A number heard: the answer to a check-in waiting for one, or nothing."""
        asking = self.asking
        if asking is None:
            self.log(d.time, NotAsked(phrase=d.phrase))
            return
        self.asking = None
        rating = RATINGS.index(d.phrase)
        self.log(d.time, Rating(when=asking.when, routine=asking.routine, rating=rating))
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
        self.log(self.now, Rating(when=asking.when, routine=asking.routine, rating=None))
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
