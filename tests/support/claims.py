"""A recogniser that "hears" a phrase at given seconds, whatever was said."""
from __future__ import annotations

import numpy as np

from assistant.hearing.base import Detection, Recogniser


class Claims(Recogniser):
    """Claims each phrase of ``claims`` (seconds -> phrase), said over the 0.8 s before."""

    def __init__(self, claims: dict[float, str]):
        super().__init__(set(claims.values()))
        self.claims = dict(claims)

    def _block(self, block: np.ndarray) -> list[Detection]:
        due = [t for t in self.claims if t <= self.now]
        return [Detection(self.claims.pop(t), t - 0.8, t, self.now) for t in sorted(due)]

    def fresh(self) -> Claims:
        return Claims(self.claims)

    def eager(self) -> Recogniser:
        return Claims({})  # its own voice holds none of them

    def missing_words(self) -> list[str]:
        return []


class Emits(Recogniser):
    """Hands over each of ``found`` (detections of any kind) at its ``time``; its eager copy,
    on the assistant's own output, those of ``own``."""

    def __init__(self, found: list[Detection], own: list[Detection] = ()):
        super().__init__({d.phrase for d in found})
        self.found, self.own = sorted(found, key=lambda d: d.time), list(own)

    def _block(self, block: np.ndarray) -> list[Detection]:
        due = [d for d in self.found if d.time <= self.now]
        self.found = self.found[len(due):]
        return due

    def fresh(self) -> Emits:
        return Emits(self.found, self.own)

    def eager(self) -> Emits:
        return Emits(self.own)

    def missing_words(self) -> list[str]:
        return []


class Measured:
    """An echo canceller's measurements, fixed: the share it took out of blocks of echo
    alone (a path from the speaker to the microphone), and the share of the microphone it
    left over any phrase. It hands the microphone on as it is."""

    def __init__(self, taken: float, left: float, coupling: float | None = None):
        self._taken, self._left = taken, left
        self._coupling = taken if coupling is None else coupling

    def process(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        return mic

    def shift(self, n: int) -> None:
        pass

    def taken(self, start: float, end: float) -> float:
        return self._taken

    def left(self, start: float, end: float) -> float:
        return self._left

    def coupling(self, start: float, end: float) -> tuple[float, float]:
        return self._coupling, end - start


#: Headphones, a recording, a silent speaker: no path from the speaker to the microphone.
NO_PATH = Measured(taken=0.0, left=1.0)
#: The microphone held nothing but the echo (the canceller took nearly all of it out).
ECHO_ALONE = Measured(taken=0.999, left=0.003)
#: A person spoke over the echo (the canceller left much of the microphone's sound).
PERSON = Measured(taken=0.999, left=0.3)
