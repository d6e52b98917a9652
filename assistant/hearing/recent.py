"""What the checks hear: the newest seconds of the microphone, and whether someone is
talking in them."""
from __future__ import annotations

import numpy as np

from ..sound import IN_RATE


class Recent:
    """The newest ``seconds`` of int16 audio, kept in a ring (nothing older is kept)."""

    def __init__(self, seconds: float):
        self.ring = np.zeros(int(seconds * IN_RATE), np.int16)
        self.total = 0  # samples ever added

    def add(self, block: np.ndarray) -> None:
        at = self.total % len(self.ring)
        first = min(len(block), len(self.ring) - at)
        self.ring[at:at + first] = block[:first]
        self.ring[:len(block) - first] = block[first:]
        self.total += len(block)

    def between(self, start: int, end: int) -> np.ndarray:
        """Samples ``start`` to ``end`` (counted from the stream's start), as far as kept."""
        start = max(start, self.total - len(self.ring), 0)
        end = min(end, self.total)
        if end <= start:
            return np.zeros(0, np.int16)
        index = np.arange(start, end) % len(self.ring)
        return self.ring[index]


class VoiceDetector:
    """Speech or not, every 10 ms, against the room's own level (its quietest tenth of the
    last ``KEPT`` blocks, worked out afresh every ``EVERY`` blocks: the room changes far more
    slowly than that, and the percentile is most of the cost)."""

    KEPT = 500  # blocks: 5 s
    EVERY = 10

    def __init__(self) -> None:
        self.levels = np.zeros(self.KEPT, np.float32)
        self.blocks = 0
        self.floor = 0.0

    def __call__(self, block: np.ndarray) -> bool:
        x = block.astype(np.float32) / 32768.0
        level = float(np.sqrt(np.dot(x, x) / max(len(x), 1)))
        self.levels[self.blocks % self.KEPT] = level
        self.blocks += 1
        if self.blocks % self.EVERY == 1 or self.EVERY == 1:
            kept = self.levels[:min(self.blocks, self.KEPT)]
            self.floor = min(float(np.percentile(kept, 10)), 0.004)
        return level > max(2.5 * self.floor, 0.002)
