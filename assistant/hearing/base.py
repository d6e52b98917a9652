"""Hearing the user's own phrases: one small interface that every engine implements.

A recogniser is pure: feed it 16 kHz mono int16 samples, get detections back.
Internally every recogniser works on fixed blocks, so the detections do not
depend on how the caller chops the audio (10 ms or 100 ms chunks give the
same answer). Times are seconds of audio since the recogniser was made.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from ..sound import IN_RATE


class RecogniserError(Exception):
    """The recogniser cannot be set up (missing model, unknown words)."""


class ModelError(RecogniserError):
    """A speech model is missing, cannot be read, or is not the one recorded."""


class UnknownWords(RecogniserError):
    """Some words of the phrases are not in the recogniser's dictionary."""

    def __init__(self, engine: str, words: list[str]):
        super().__init__(f"{engine} has no pronunciation for {', '.join(words)}.")
        self.engine, self.words = engine, set(words)


@dataclass(frozen=True)
class Detection:
    phrase: str
    """The phrase as configured (normalised)."""
    start: float
    """Seconds: where the phrase began in the audio."""
    end: float
    """Seconds: where the phrase ended in the audio."""
    time: float
    """Seconds: the point in the audio at which it was recognised."""
    kind: str = "heard"
    """``heard``: act on it. With a second stage, also ``candidate``: the first stage heard
    it and the check is still to come (only a stop may act on it at once); and ``rejected``:
    the check found that a candidate was not the phrase after all."""
    count: int = 1
    """How many times the phrase was said in the audio that was checked."""
    by: str = ""
    """For a candidate: which quick stage found it (``keywords``, ``scout`` or ``ear``)."""
    heard: str = ""
    """For a phrase that no quick stage found, what the check wrote down; for one that only
    the hints made it write, the plain transcript of the same seconds (to tell the
    assistant's own voice; held only as long as the detection, never logged or kept)."""


class Recogniser:
    """Fixed-block streaming base: subclasses implement ``_block`` and ``_reset``."""

    block = 160  # samples per internal block
    #: Whether taking the assistant's echo out of the microphone first helps this recogniser
    #: (measured with scripts/bench_own_voice.py; see docs/benchmarks.md).
    echo_cancel = False

    def __init__(self, phrases: Iterable[str]):
        self.phrases = tuple(phrases)
        self._pending = np.zeros(0, dtype=np.int16)
        self.samples = 0  # samples processed so far

    def feed(self, samples: np.ndarray) -> list[Detection]:
        """Process a chunk of int16 samples of any length."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        found: list[Detection] = []
        usable = len(data) - len(data) % self.block
        for i in range(0, usable, self.block):
            self.samples += self.block
            found += self._block(data[i:i + self.block])
        self._pending = data[usable:]
        return found

    @property
    def now(self) -> float:
        return self.samples / IN_RATE

    @property
    def fed(self) -> int:
        """Samples given to it so far (its clock, and a part of a block not heard yet)."""
        return self.samples + len(self._pending)

    def _block(self, block: np.ndarray) -> list[Detection]:
        raise NotImplementedError

    def go_live(self) -> None:
        """It hears a live microphone from now on: slow work may move off the loop that feeds
        it (answers then come a little later, with a later chunk)."""

    def expect(self, answers: tuple[str, ...]) -> None:
        """A check-in now waits for one of ``answers`` (none: for nothing); a recogniser that
        can listen more closely for them does."""

    def playing(self, sound: bool) -> None:
        """Whether the chunk fed next comes while the assistant plays sound (its own voice may
        be in it); a recogniser that hears differently over its own voice notes it."""

    def close(self) -> None:
        """Nothing more will be heard: work still waiting is dropped."""

    def starting_at(self, samples: int) -> Recogniser:
        """This recogniser, its clock set to ``samples`` of audio already gone by, to take
        over from another one mid-stream, or to hear again after resting (what it heard
        before, up to a part of a block, is left behind); returns itself."""
        self.samples = samples
        self._pending = np.zeros(0, dtype=np.int16)
        return self

    def missing_words(self) -> list[str]:
        """Words of the configured phrases the recogniser cannot pronounce."""
        raise NotImplementedError

    def fresh(self) -> Recogniser:
        """A recogniser with the same settings and no memory of past audio."""
        raise NotImplementedError

    def eager(self) -> Recogniser:
        """A fresh recogniser at the highest sensitivity, to notice the assistant's own voice
        saying something like a phrase even when the microphone's copy sounds a little different.
        """
        raise NotImplementedError


class Deaf(Recogniser):
    """Hears nothing: where there is nothing to listen to, or no first stage to listen to
    the assistant's own output."""

    def _block(self, block: np.ndarray) -> list[Detection]:
        return []

    def missing_words(self) -> list[str]:
        return []

    def fresh(self) -> Deaf:
        return Deaf(self.phrases)

    def eager(self) -> Deaf:
        return Deaf(self.phrases)


class Together(Recogniser):
    """Several recognisers on the same sound, their finds together, each saying once (two
    parts finding the same phrase within ``SAME`` seconds found one saying); a part may
    join later. On the assistant's own output, which is exact zeros whenever it says
    nothing, the parts rest after ``REST`` seconds of them, and hear again from the first
    sound."""

    SAME = 1.0
    REST = 1.0

    def __init__(self, phrases: Iterable[str], parts: Iterable[Recogniser]):
        super().__init__(phrases)
        self.parts = list(parts)
        self.last: dict[str, float] = {}  # phrase -> when it was last found
        self.zeros = 0  # exact zeros in a row, up to now

    def feed(self, samples: np.ndarray) -> list[Detection]:
        samples = np.asarray(samples, dtype=np.int16)
        begins, self.samples = self.samples, self.samples + len(samples)
        resting = self.zeros >= self.REST * IN_RATE
        if samples.any():
            if resting:
                for part in self.parts:
                    part.starting_at(begins)
            self.zeros = 0
        else:
            self.zeros += len(samples)
            if resting:
                return []
        found = []
        for d in sorted((d for part in self.parts for d in part.feed(samples)),
                        key=lambda d: d.time):
            if d.time - self.last.get(d.phrase, -1e9) > self.SAME:
                found.append(d)
                self.last[d.phrase] = d.time
        return found

    def join(self, part: Recogniser, *, instead_of: Recogniser | None = None) -> None:
        """Hear with ``part`` too (``instead_of`` one of its parts), from the next chunk on."""
        self.parts = [p for p in self.parts if p is not instead_of]
        self.parts.append(part.starting_at(self.samples))

    def starting_at(self, samples: int) -> Together:
        self.samples = samples
        for part in self.parts:
            part.starting_at(samples)
        return self

    def missing_words(self) -> list[str]:
        return sorted({w for part in self.parts for w in part.missing_words()})

    def fresh(self) -> Together:
        return Together(self.phrases, [part.fresh() for part in self.parts])

    def eager(self) -> Together:
        return Together(self.phrases, [part.eager() for part in self.parts])


def distinct(found: list[Detection]) -> list[Detection]:
    """The ``heard`` detections, each saying once: a phrase heard again over the same
    stretch of audio (two checks of it) is left out."""
    kept: list[Detection] = []
    for d in found:
        if d.kind == "heard" and not any(k.phrase == d.phrase and d.start <= k.end
                                         and k.start <= d.end for k in kept):
            kept.append(d)
    return kept


def detect_samples(recogniser: Recogniser, samples: np.ndarray, *, chunk: int = 1600,
                   tail: float = 0.5) -> list[Detection]:
    """Push a whole recording through the streaming path, with a little silence after."""
    padded = np.concatenate([samples.astype(np.int16), np.zeros(int(tail * IN_RATE), np.int16)])
    found = []
    for i in range(0, len(padded), chunk):
        found += recogniser.feed(padded[i:i + chunk])
    return found

