"""What the speaker played, handed to the echo canceller in step with the microphone.

For each chunk the microphone hears, the reference is the same span of what was played a
moment before, so that the echo of it comes after. It is counted in samples, never rounded
block by block, so it keeps its place for hours; and it follows two sound cards whose
clocks differ (a USB microphone and another speaker): it measures how fast what is played
runs against what is heard and reads the played sound that much faster or slower, with
band-limited interpolation, so that the echo's path stays where the canceller learned it.
"""
from __future__ import annotations

import numpy as np

from . import IN_RATE
from .files import Resampler

#: Samples (16 kHz) the reference first trails what was last played: room for the resampler,
#: which hands its output over in bursts, and for a speaker callback that comes a little late.
SLACK = 420
#: Every ``WINDOW`` seconds heard, whatever the chunks (``FIRST`` the first time, as setting
#: the lead moves the reference and the canceller must then learn the path again), the least
#: lead of what was played over what is taken (the least, not the typical one: while the loop
#: catches up on chunks that waited in the queue the lead grows for a moment, and that is no
#: drift) is noted. The lead kept is never less than ``GUARD``: live, the least lead wanders
#: by about ±8 ms from one window to the next (the speaker's and the microphone's blocks come
#: in bursts), and a reference taken before it was played hands out silence where the echo
#: is (measured live: the canceller then took out 13-28 dB, against 40-48 dB in step;
#: docs/benchmarks.md).
WINDOW = 3.0
FIRST = 1.0
GUARD = 320
#: The clocks: how much faster the speaker runs is the slope of what was played against what
#: was heard (the typical gap between them in each window, over the last ``HISTORY`` windows,
#: at least ``SLOPE_WINDOWS``; counted in the samples the speaker took, since the resampler's
#: output comes in bursts that hid a drift of a sample every three seconds for half a
#: minute), with its steps taken out: a move of more than ``STEP`` samples (2 ms) from one
#: window to the next, apart from the usual one, is the speaker running dry for a moment on
#: a busy machine (it played silence it was never handed, and the echo comes that much
#: later from then on), not a clock (a straight line through a few steps was taken for one:
#: live, under load, 90-98 ppm followed where there was no drift, and the canceller took out
#: 3-9 dB). The reference follows the slope once it stands apart from the one followed by
#: ``SURE`` standard errors. Should the lead still go below nothing, or move by more than ``DRIFT``,
#: the reference is taken from where it should be, and the echo canceller learns the path
#: again.
SLOPE_WINDOWS = 4
STEP = 32
HISTORY = 200
SURE = 4.0
DRIFT = 400
#: Two sound cards' clocks differ by tens of parts per million, rarely a few hundred: a
#: slope steeper than this is no drift (live, a loop that fell behind and caught up once
#: measured 991 ppm where there was none, and the canceller then took out 2-3 dB).
MOST = 1000.0
#: Taps on each side of the band-limited interpolation, its Kaiser window's shape, and the
#: fractions of a sample it is worked out for.
TAPS = 16
BETA = 8.0
PHASES = 1024


class Reference:
    def __init__(self, rate: int):
        self.rate = rate
        self.resampler = Resampler(rate, IN_RATE)
        self.ring = np.zeros(2 * IN_RATE, np.float32)
        self.made = 0  # samples of played sound at 16 kHz so far
        self.next_played = 0  # the next played sample (at ``rate``) expected
        self.at: float | None = None  # where in the played sound the next sample is read
        self.step = 1.0  # played samples read for each sample the microphone hears
        self.taken = 0  # samples handed out
        self.leads: list[float] = []
        self.gaps: list[float] = []  # played against heard, this window
        self.window_from = 0  # samples heard when this window began
        self.seen: list[tuple[int, float]] = []  # (samples heard, typical gap) of each window
        self.usual: float | None = None  # the lead kept, once settled
        self.moved = 0  # how far it moved to follow the clocks
        self.unheeded = 0  # how far it moved since ``move`` was last asked

    @property
    def drift(self) -> float:
        """How much faster than the microphone the speaker runs, in parts per million, as
        far as it has been measured."""
        return (self.step - 1.0) * 1e6

    def add(self, start: int, played: np.ndarray) -> None:
        """Samples the speaker played, the first of them the ``start``-th ever played."""
        if start != self.next_played:  # some went by unseen: take up the stream from here
            self.resampler = Resampler(self.rate, IN_RATE)
            self.made = int(round(start * IN_RATE / self.rate))
            self.seen = []
        self.next_played = start + len(played)
        out = self.resampler(played)[-len(self.ring):]
        index = (self.made + np.arange(len(out))) % len(self.ring)
        self.ring[index] = out
        self.made += len(out)

    def take(self, n: int, *, queued: int = 0) -> np.ndarray:
        """The next ``n`` samples of the reference (silence where nothing was played yet).
        ``queued``: samples the microphone has heard beyond these, not yet taken (live, a
        loop behind the microphone: the speaker played on meanwhile, and the clocks are
        compared as of what was heard, not of what was taken)."""
        if self.at is None:
            self.at = float(self.made - SLACK)
        out = self._read(self.at + self.step * np.arange(n))
        self.at += self.step * n
        self.taken += n
        self.leads.append(self.made - self.at)
        self.gaps.append(self.next_played * IN_RATE / self.rate - self.taken - queued)
        window = WINDOW if self.usual is not None else FIRST
        if self.taken - self.window_from >= window * IN_RATE:
            self._look(min(self.leads), float(np.median(self.gaps)))
            self.leads, self.gaps, self.window_from = [], [], self.taken
        return out

    def move(self) -> int:
        """Samples the reference moved ahead since last asked (its echo now comes that much
        later against it)."""
        moved, self.unheeded = self.unheeded, 0
        return moved

    def _look(self, lead: float, gap: float) -> None:
        if self.usual is None:
            self.usual = max(lead, GUARD)
            self._jump(lead - self.usual)
            return
        self.seen = (self.seen + [(self.taken, gap)])[-HISTORY:]
        if len(self.seen) >= SLOPE_WINDOWS:
            slope, error = fitted(self.seen)
            # The clocks, clearly apart, by as much as clocks can be.
            if abs(1.0 + slope - self.step) > SURE * error and abs(slope) <= MOST * 1e-6:
                self.step = 1.0 + slope
        if lead < 0 or abs(lead - self.usual) > DRIFT:
            self._jump(lead - self.usual)

    def _jump(self, n: float) -> None:
        assert self.at is not None
        move = int(round(n))
        if move:
            self.at += move
            self.moved += move
            self.unheeded += move

    def _read(self, where: np.ndarray) -> np.ndarray:
        """The played sound at fractional positions ``where`` (silence outside what is kept):
        exactly the samples themselves at whole positions."""
        whole = np.floor(where)
        phase = np.round((where - whole) * PHASES).astype(np.int64)
        whole, phase = whole.astype(np.int64) + phase // PHASES, phase % PHASES
        if not phase.any():
            index = whole
            kept = (index >= max(self.made - len(self.ring), 0)) & (index < self.made)
            return np.where(kept, self.ring[index % len(self.ring)], 0.0).astype(np.float32)
        index = whole[:, None] + np.arange(-TAPS + 1, TAPS + 1)[None, :]
        kept = (index >= max(self.made - len(self.ring), 0)) & (index < self.made)
        samples = np.where(kept, self.ring[index % len(self.ring)], 0.0)
        return (samples * KERNEL[phase]).sum(axis=1).astype(np.float32)


def kernel() -> np.ndarray:
    """For each of ``PHASES`` fractions of a sample, the interpolation's ``2 * TAPS`` weights:
    a sinc under a Kaiser window."""
    x = np.arange(PHASES)[:, None] / PHASES - np.arange(-TAPS + 1, TAPS + 1)[None, :]
    window = np.i0(BETA * np.sqrt(np.clip(1 - (x / TAPS) ** 2, 0, 1))) / np.i0(BETA)
    return (np.sinc(x) * window).astype(np.float32)


def fitted(points: list[tuple[int, float]]) -> tuple[float, float]:
    """The least-squares slope of ``points`` (x, y) and its standard error, once the steps
    in it are taken out: a move from one point to the next that stands apart from the
    others by more than ``STEP`` samples (and six times their spread)."""
    x = np.array([p[0] for p in points], np.float64)
    y = np.array([p[1] for p in points], np.float64)
    moves = np.diff(y)
    if len(moves):
        usual = float(np.median(moves))
        spread = 1.4826 * float(np.median(np.abs(moves - usual)))
        steps = np.where(np.abs(moves - usual) > max(STEP, 6 * spread), moves - usual, 0.0)
        y -= np.concatenate([[0.0], np.cumsum(steps)])
    x -= x.mean()
    spread = float(x @ x)
    if spread <= 0:
        return 0.0, float("inf")
    slope = float(x @ (y - y.mean())) / spread
    rest = y - y.mean() - slope * x
    error = np.sqrt(float(rest @ rest) / max(len(x) - 2, 1) / spread)
    return slope, float(max(error, 1e-9))


KERNEL = kernel()
