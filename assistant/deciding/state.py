"""The states the assistant is in, and what it holds in each."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..speaking.timeline import Program


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
