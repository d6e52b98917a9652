"""Taking the assistant's own voice out of what the microphone hears.

On a laptop the microphone hears the speaker. SpeexDSP's echo canceller
(``speex.py``) learns the path from what the assistant played to the
microphone (the delay, the room's echo, the speaker's colour) and takes its
estimate of that echo out, so the user's words stand out.

Its output is used only while it really takes echo out, judged on blocks that
hold the echo alone, else the microphone goes through as it is: with
headphones, or with the speaker silent, a person's words reach the
recognisers untouched. Each block's energy before and after is kept a while,
for the evidence of what was its own voice (``deciding/own_voice.py``).
``reference.py`` hands it what was played, in step with the microphone.
Figures: docs/benchmarks.md.
"""
from __future__ import annotations

import collections

import numpy as np

from . import IN_RATE
from .reference import GUARD
from .speex import Speex

BLOCK = 160  # samples (10 ms at 16 kHz) per step
TAIL = 0.4  # seconds of echo the filter can model: the reference's lead plus the room's tail
#: Samples by which the microphone is taken later than it came, so that its echo always comes
#: after its reference: the reference trails what was handed to the speaker by at least
#: ``GUARD``, and a sound path with next to no delay of its own (buffers of a few
#: milliseconds, the speaker beside the microphone) brings the echo back sooner than that.
#: Live in the test room with no delay but PortAudio's buffers, the canceller took out
#: 0.2 dB without it and 35 dB with it (docs/benchmarks.md). Everything heard is that much
#: later.
LATE = GUARD
#: A block this many times louder, against what was played, than usual is the user talking.
TALKING = 10.0
#: The canceller's output is used while it leaves at most this share of the microphone's
#: energy in blocks of echo alone, each block weighing this much against those before, once
#: it has been judged on ``JUDGED`` of them (its first output is near silence, whatever the
#: microphone holds).
HELPS = 0.5
WORTH = 0.05
JUDGED = 100
#: A block of which ``RAISED`` times the usual share (and at least ``FLOOR``) was left holds
#: a person's voice, for up to ``CHANGED`` blocks in a row (3 s).
RAISED = 4.0
FLOOR = 0.1
CHANGED = 300
#: Each block's energy before and after is kept this many seconds, to tell whether what was
#: heard over a span was more than the echo: judged on the ``LOUDEST`` blocks (0.2 s).
KEPT = 12
LOUDEST = 20


class EchoCanceller:
    """The echo of what was played taken out of the microphone, block by block (int16)."""

    def __init__(self, *, rate: int = IN_RATE, tail: float = TAIL):
        self.speex = Speex(frame=BLOCK, tail=int(tail * rate), rate=rate)
        self.ratios: collections.deque[float] = collections.deque(maxlen=500)  # 5 s
        self.worth = np.zeros(2)  # energy handed on, and the microphone's, on echo alone
        self.judged = 0  # blocks of echo alone it was judged on
        self.talk = 0  # blocks in a row of far more left than usual
        self.mic_left = np.zeros(LATE, np.int16)
        self.ref_left = np.zeros(0, np.int16)
        #: The energy of each block played within the tail.
        self.played: collections.deque[float] = collections.deque(
            [0.0] * int(tail * rate / BLOCK), maxlen=int(tail * rate / BLOCK))
        self.blocks = self.used = 0  # blocks with sound played lately, and those it served
        #: For each recent block: the microphone's energy, what was left of it once the
        #: echo was taken out (whether or not that was handed on), whether it held the echo
        #: alone, and the energy of what was played in it.
        self.energy = np.zeros((KEPT * rate // BLOCK, 4))
        self.done = 0  # blocks processed since the start of the stream

    def process(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """``mic`` with the echo of ``played`` (the same span of time) taken out.

        Both are int16; whole 10 ms blocks are returned and any rest is kept for the next
        call."""
        self.mic_left = np.concatenate([self.mic_left, np.asarray(mic, np.int16)])
        self.ref_left = np.concatenate([self.ref_left, np.asarray(played, np.int16)])
        n = min(len(self.mic_left), len(self.ref_left)) // BLOCK * BLOCK
        out = [self._block(self.mic_left[i:i + BLOCK], self.ref_left[i:i + BLOCK])
               for i in range(0, n, BLOCK)]
        self.mic_left, self.ref_left = self.mic_left[n:], self.ref_left[n:]
        return np.concatenate(out) if out else np.zeros(0, np.int16)

    def left(self, start: float, end: float) -> float:
        """How loud what was left once the echo was taken out was, against what the
        microphone heard, from ``start`` to ``end`` (seconds of the stream): the loudest
        ``LOUDEST`` blocks of each, as a share. Near 1 where someone spoke (their voice is
        left as it was: it is the loudest of what is left) or where nothing was played; far
        less where the microphone heard only the assistant (what is left of its echo is far
        below the echo's loudest, even where the canceller does worst, at the end of a
        sentence). Blocks with nothing played within the tail count whole: the microphone
        cannot hold its echo then (left out, a help phrase said between two of its lines,
        checked over a span that ran on into the next, was judged on the echo alone and
        dropped). 1 for a span not kept."""
        kept = self._span(start, end)
        mic, out = (np.sort(kept[:, i])[-LOUDEST:].sum() for i in (0, 1))
        return float(min(out / mic, 1.0)) if mic > 0 else 1.0

    def taken(self, start: float, end: float) -> float:
        """The share of the microphone's energy it took out of the blocks that held its echo
        alone from ``start`` to ``end``: near 1 once it has learned a path from the speaker
        to the microphone; near 0 where there is none (headphones, a recording), where
        nothing was played, or before it has learned."""
        kept = self._span(start, end)
        alone = kept[kept[:, 2] > 0] if len(kept) else kept
        if not len(alone) or alone[:, 0].sum() <= 0:
            return 0.0
        return float(max(0.0, 1.0 - alone[:, 1].sum() / alone[:, 0].sum()))

    def coupling(self, start: float, end: float) -> tuple[float, float]:
        """How closely the microphone's level followed what was played from ``start`` to
        ``end``, at the delay that fits best (the correlation of their levels, block by
        block: 0.5 and more where it hears the speaker, whether or not the canceller has
        learned the path yet; near 0 where it does not), and over how many seconds of sound
        played that was judged."""
        kept = self._span(start, end)
        played = float((kept[:, 3] > 0).sum()) * BLOCK / IN_RATE if len(kept) else 0.0
        if played < 0.1:
            return 0.0, played
        mic, out = np.log10(kept[:, 0] + 1.0), np.log10(kept[:, 3] + 1.0)
        best = 0.0
        for lag in range(0, min(len(self.played), len(kept) - 10)):
            a, b = mic[lag:], out[:len(out) - lag]
            if a.std() > 1e-6 and b.std() > 1e-6:
                best = max(best, float(np.corrcoef(a, b)[0, 1]))
        return best, played

    def _span(self, start: float, end: float) -> np.ndarray:
        a, z = max(int(start * IN_RATE) // BLOCK, 0, self.done - len(self.energy)), \
            min(int(end * IN_RATE) // BLOCK, self.done)
        if z <= a:
            return np.zeros((0, 4))
        return self.energy[np.arange(a, z) % len(self.energy)]

    def shift(self, n: int) -> None:
        """The reference moved ``n`` samples ahead (following two clocks): the path learned
        is no longer where it was, and is learned again (within seconds)."""
        if n:
            self.speex.reset()

    def _block(self, mic: np.ndarray, ref: np.ndarray) -> np.ndarray:
        m, r = mic.astype(np.float64), ref.astype(np.float64)
        heard = float(m @ m)
        self.played.append(float(r @ r))
        loudest = max(self.played)
        if loudest < 1.0:  # nothing played within the tail: nothing to take out
            self.speex(mic, ref)  # it must know the silences too
            self.energy[self.done % len(self.energy)] = heard, heard, 0.0, self.played[-1]
            self.done += 1
            return mic
        alone = self._only_echo(heard, loudest=loudest)
        out = self.speex(mic, ref)  # it learns from every block: it cannot be told not to
        o = out.astype(np.float64)
        left = float(o @ o)
        if alone and not self._talk_left(left, heard):
            # Whether its output takes out more than it leaves, judged on echo alone.
            self.worth = (1 - WORTH) * self.worth + WORTH * np.array([left, heard])
            self.judged += 1
        self.blocks += 1
        use = bool(self.judged >= JUDGED and self.worth[0] < HELPS * self.worth[1])
        self.used += use
        self.energy[self.done % len(self.energy)] = heard, left, alone, self.played[-1]
        self.done += 1
        return out if use else mic

    def _talk_left(self, left: float, heard: float) -> bool:
        """Whether far more was left of this block than the canceller usually leaves: a
        person talking that the level check missed (someone as loud as the echo raises the
        microphone's level by only a few dB). Their voice must not count against the
        canceller, or it would hand on the raw microphone, echo and all, while they speak.
        Held longer than ``CHANGED`` it is the echo's path that changed instead."""
        if self.judged < JUDGED:
            return False
        usual = self.worth[0] / max(self.worth[1], 1e-12)
        talk = left > max(RAISED * usual, FLOOR) * heard
        self.talk = self.talk + 1 if talk else 0
        return talk and self.talk <= CHANGED

    def _only_echo(self, mic: float, *, loudest: float) -> bool:
        """Whether this block is the speaker's echo alone: the microphone against the loudest
        block played lately (``loudest``, its energy) stays near its usual level then, and
        jumps when the user speaks (a Geigel-style check whose threshold is learned)."""
        ratio = mic / loudest
        self.ratios.append(ratio)
        return ratio <= TALKING * float(np.median(self.ratios))
