"""Everything the assistant logs, one small type for each kind of thing that happens.

The log (``log.py``) writes each as one JSON line: ``{"t": …, "event": <name>, …fields}``.
A field marked ``optional`` is left out while it is None; ``echo`` (how much of the
speaker the echo canceller took out, and what it left) is written as fields of its own.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar


def optional() -> Any:
    return field(default=None, metadata={"optional": True})


def echo() -> Any:
    return field(default_factory=dict, metadata={"flat": True})


@dataclass(frozen=True, kw_only=True)
class Event:
    name: ClassVar[str]

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("flat"):
                out |= value
            elif value is not None or not f.metadata.get("optional"):
                out[f.name] = value
        return out


#: Where events go: ``log(t, event)``, ``t`` in seconds of audio time.
Log = Callable[[float, Event], None]


# Hearing and deciding.

@dataclass(frozen=True, kw_only=True)
class Heard(Event):
    """A phrase checked and acted on."""
    name = "heard"
    phrase: str
    start: float
    end: float
    echo: dict[str, float] = echo()


@dataclass(frozen=True, kw_only=True)
class Trigger(Event):
    name = "trigger"
    intent: str
    phrase: str


@dataclass(frozen=True, kw_only=True)
class Candidate(Event):
    """A phrase the quick stage heard, not yet checked (a pause phrase stops the voice)."""
    name = "candidate"
    phrase: str
    intent: str
    by: str
    echo: dict[str, float] = echo()


@dataclass(frozen=True, kw_only=True)
class Rejected(Event):
    """A candidate the check did not hear."""
    name = "rejected"
    phrase: str


@dataclass(frozen=True, kw_only=True)
class Ignored(Event):
    """A phrase heard in the assistant's own voice, and the evidence that decided it."""
    name = "ignored"
    phrase: str
    reason: str = "own voice"
    evidence: str
    kind: str
    times: int
    start: float
    end: float
    echo: dict[str, float] = echo()


@dataclass(frozen=True, kw_only=True)
class NotAsked(Event):
    """A rating heard while no check-in waits for one."""
    name = "ignored"
    phrase: str
    reason: str = "no check-in asked"


# Routines and what is said.

@dataclass(frozen=True, kw_only=True)
class RoutineStart(Event):
    name = "routine_start"
    routine: str
    seconds: float


@dataclass(frozen=True, kw_only=True)
class RoutineEnd(Event):
    name = "routine_end"
    routine: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class SpeechStart(Event):
    name = "speech_start"
    routine: str
    reason: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class SpeechStop(Event):
    name = "speech_stop"
    routine: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Seek(Event):
    name = "seek"
    routine: str
    reason: str
    to: float


@dataclass(frozen=True, kw_only=True)
class Pace(Event):
    """Slower or faster: the breathing's pace, or the scale of a routine's waits."""
    name = "pace"
    routine: str
    pace: float | None = optional()
    wait_scale: float | None = optional()


@dataclass(frozen=True, kw_only=True)
class RenderFailed(Event):
    name = "render_failed"
    routine: str
    error: str


@dataclass(frozen=True, kw_only=True)
class Answer(Event):
    name = "answer"
    text: str


@dataclass(frozen=True, kw_only=True)
class CheckIn(Event):
    name = "checkin"
    when: str
    routine: str
    again: bool | None = optional()


@dataclass(frozen=True, kw_only=True)
class Rating(Event):
    """The answer to a check-in (None: none came)."""
    name = "rating"
    when: str
    routine: str
    rating: int | None


# The session around it.

@dataclass(frozen=True, kw_only=True)
class Listening(Event):
    name = "listening"
    engine: str


@dataclass(frozen=True, kw_only=True)
class Learning(Event):
    name = "learning"
    phrases: list[str]


@dataclass(frozen=True, kw_only=True)
class Learned(Event):
    name = "learned"
    ready: bool
    why: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class Device(Event):
    name = "device"
    message: str


@dataclass(frozen=True, kw_only=True)
class Reload(Event):
    name = "reload"
    used: bool


@dataclass(frozen=True, kw_only=True)
class Echo(Event):
    """The echo canceller over the last half minute."""
    name = "echo"
    taken_db: float
    served: float | None
    drift_ppm: float
    moved_ms: int


@dataclass(frozen=True, kw_only=True)
class Behind(Event):
    name = "behind"
    seconds: float


@dataclass(frozen=True, kw_only=True)
class CaughtUp(Event):
    name = "caught_up"
    most: float


@dataclass(frozen=True, kw_only=True)
class Hearing(Event):
    """How often each stage found a phrase first."""
    name = "hearing"
    finds: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class Audio(Event):
    """How the sound card kept up, when it ends."""
    name = "audio"
    overflows: int
    microphone_lost: int
    speaker_lost: int
    underflows: int
    behind_ms: int
    echo_cancelled: float | None
    reference_moved_ms: int
    reference_lead_ms: int
    in_latency_ms: float | None
    out_latency_ms: float | None
