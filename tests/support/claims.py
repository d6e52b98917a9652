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
