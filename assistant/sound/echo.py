"""Taking the assistant's own voice out of what the microphone hears.

On a laptop the microphone hears the speaker. An adaptive filter learns the
path from what the assistant played to the microphone (the delay, the room's
echo, the speaker's colour) and subtracts its estimate of that echo, so the
user's words stand out. It is a partitioned-block frequency-domain filter
(overlap-save, normalised steps), cheap enough for a Raspberry Pi.

The user's voice must never teach it to cancel speech. It learns only from
blocks its own sound can explain (a block much louder than usual against what
was just played is the user talking); it learns in the background, the
filter in use taking the learned weights only once they cancel clearly
better (the "two-path" scheme); and its output is used only while it really
takes echo out, else the microphone goes through as it is. With headphones
there is no echo to learn; with the speaker silent the microphone passes
through untouched. Figures: docs/benchmarks.md.
"""
from __future__ import annotations

import collections

import numpy as np

from . import IN_RATE
from .files import Resampler

BLOCK = 160  # samples (10 ms at 16 kHz) per step
SPAN = 0.4  # seconds of echo the filter can model: delay plus the room's tail
#: A block this many times louder, against what was played, than usual is the user talking.
TALKING = 10.0
#: The filter's output is used while it leaves at most this share of the echo's energy,
#: judged on the echo alone, each block weighing this much against the ones before (~50 ms).
HELPS = 0.9
WORTH = 0.2
#: Each block's energy before and after is kept this many seconds, to tell whether what was
#: heard over a span was more than the echo: judged on its ``LOUDEST`` blocks (0.2 s) after.
KEPT = 12
LOUDEST = 20


#: Samples (16 kHz) the reference first trails what was last played: room for the resampler,
#: which hands its output over in bursts, and for a speaker callback that comes a little late.
SLACK = 420
#: The reference is kept in step with the microphone: every ``WINDOW`` chunks, the least
#: lead of what was played over what is taken (the least, not the typical one: while the
#: loop catches up on chunks that waited in the queue the lead grows for a moment, and that
#: is no drift) is compared with the lead it keeps. It never plans for less than ``GUARD``:
#: live, the least lead wanders by about ±8 ms from one window to the next (the speaker's
#: and the microphone's blocks come in bursts), and a reference taken before it was played
#: hands out silence where the echo is (measured live: the canceller then took out 13-28
#: dB, against 40-48 dB in step; docs/benchmarks.md). If the lead goes below nothing, or
#: moves by more than ``DRIFT`` (two sound cards' clocks: a step of 25 ms about every four
#: minutes for clocks 100 ppm apart), the reference is taken from where it should be, and
#: the echo canceller moves what it learned with it.
WINDOW = 300
GUARD = 320
DRIFT = 400


class Reference:
    """What the speaker played, at the microphone's rate and in step with the microphone:
    for each chunk the microphone hears, the same span of what was played a moment before,
    so the echo of it comes after. Counted in samples, not rounded block by block, so it
    keeps its place for hours."""

    def __init__(self, rate: int):
        self.rate = rate
        self.resampler = Resampler(rate, IN_RATE)
        self.ring = np.zeros(2 * IN_RATE, np.float32)
        self.made = 0  # samples of played sound at 16 kHz so far
        self.next_played = 0  # the next played sample (at ``rate``) expected
        self.taken: int | None = None  # the next reference sample to hand out
        self.leads: list[int] = []
        self.usual: int | None = None  # the typical lead once settled
        self.moved = 0  # how far it moved to follow the clocks
        self.unheeded = 0  # how far it moved since ``move`` was last asked

    def add(self, start: int, played: np.ndarray) -> None:
        """Samples the speaker played, the first of them the ``start``-th ever played."""
        if start != self.next_played:  # some went by unseen: take up the stream from here
            self.resampler = Resampler(self.rate, IN_RATE)
            self.made = int(round(start * IN_RATE / self.rate))
        self.next_played = start + len(played)
        out = self.resampler(played)[-len(self.ring):]
        index = (self.made + np.arange(len(out))) % len(self.ring)
        self.ring[index] = out
        self.made += len(out)

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` samples of the reference (silence where nothing was played yet)."""
        if self.taken is None:
            self.taken = self.made - SLACK
        start, end = max(self.taken, self.made - len(self.ring), 0), min(self.taken + n,
                                                                        self.made)
        out = np.zeros(n, np.float32)
        if end > start:
            out[start - self.taken:end - self.taken] = \
                self.ring[np.arange(start, end) % len(self.ring)]
        self.taken += n
        self.leads.append(self.made - self.taken)
        if len(self.leads) == WINDOW:
            lead = min(self.leads)
            self.leads = []
            first = self.usual is None
            usual = self.usual = max(lead, GUARD) if self.usual is None else self.usual
            if lead != usual and (first or lead < 0 or abs(lead - usual) > DRIFT):
                self.taken += lead - usual
                self.moved += lead - usual
                self.unheeded += lead - usual
        return out

    def move(self) -> int:
        """Samples the reference moved ahead since last asked (its echo now comes that much
        later against it)."""
        moved, self.unheeded = self.unheeded, 0
        return moved


class EchoCanceller:
    """The echo of what was played, predicted and taken out of the microphone, block by block."""

    def __init__(self, *, rate: int = IN_RATE, span: float = SPAN, step: float = 1.0):
        self.ratios: collections.deque[float] = collections.deque(maxlen=500)  # 5 s
        self.parts = int(np.ceil(span * rate / BLOCK))
        self.step = step
        bins = BLOCK + 1
        self.adapting = np.zeros((self.parts, bins), np.complex128)
        self.in_use = np.zeros((self.parts, bins), np.complex128)
        self.spectra = np.zeros((self.parts, bins), np.complex128)  # newest first
        self.power = np.full(bins, 1e-6)
        self.previous = np.zeros(BLOCK)  # the last block of the speaker signal
        self.errors = np.zeros(2)  # recent error energy of the filter in use, the adapting one
        self.worth = np.zeros(2)  # error energy of the filter in use, and the microphone's
        self.mic_left = np.zeros(0)
        self.ref_left = np.zeros(0)
        self.turn = 0  # which partition's weights are constrained this block
        self.blocks = self.used = 0  # blocks with sound played, and those its output served
        #: The energy of each recent block in the microphone and in what was handed on.
        self.energy = np.ones((KEPT * rate // BLOCK, 2))
        self.done = 0  # blocks processed since the start of the stream

    def process(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """``mic`` with the echo of ``played`` (the same span of time) taken out.

        Both are float; whole 10 ms blocks are returned and any rest is kept for the next call.
        """
        self.mic_left = np.concatenate([self.mic_left, mic])
        self.ref_left = np.concatenate([self.ref_left, played])
        n = min(len(self.mic_left), len(self.ref_left)) // BLOCK * BLOCK
        out = [self._block(self.mic_left[i:i + BLOCK], self.ref_left[i:i + BLOCK])
               for i in range(0, n, BLOCK)]
        self.mic_left, self.ref_left = self.mic_left[n:], self.ref_left[n:]
        return np.concatenate(out) if out else np.zeros(0)

    def left(self, start: float, end: float) -> float:
        """The share of the microphone's energy still there once the echo was taken out, in
        the loudest ``LOUDEST`` blocks of what was handed on from ``start`` to ``end``
        (seconds of the stream): near 1 where someone spoke (or nothing was played, or the
        filter was not used), far less where the microphone heard only the assistant. 1 for
        a span not kept."""
        a, z = max(int(start * IN_RATE) // BLOCK, 0), int(end * IN_RATE) // BLOCK
        if z <= a or a < self.done - len(self.energy) or z > self.done:
            return 1.0
        kept = self.energy[np.arange(a, z) % len(self.energy)]
        loudest = kept[np.argsort(kept[:, 1])[-LOUDEST:]]
        return float(loudest[:, 1].sum() / max(loudest[:, 0].sum(), 1e-12))

    def shift(self, n: int) -> None:
        """The reference moved ``n`` samples ahead: what was learned of the echo moves ``n``
        samples later with it, so nothing has to be learned again."""
        for weights in (self.in_use, self.adapting):
            taps = np.fft.irfft(weights, axis=1)[:, :BLOCK].ravel()
            moved = np.zeros_like(taps)
            if n >= 0:
                moved[n:] = taps[:len(taps) - n]
            else:
                moved[:n] = taps[-n:]
            spread = np.zeros((self.parts, 2 * BLOCK))
            spread[:, :BLOCK] = moved.reshape(self.parts, BLOCK)
            weights[:] = np.fft.rfft(spread, axis=1)

    def _echo(self, weights: np.ndarray) -> np.ndarray:
        return np.fft.irfft((weights * self.spectra).sum(axis=0))[BLOCK:]

    def _block(self, mic: np.ndarray, ref: np.ndarray) -> np.ndarray:
        out = self._cancel(mic, ref)
        self.energy[self.done % len(self.energy)] = mic @ mic, out @ out
        self.done += 1
        return out

    def _cancel(self, mic: np.ndarray, ref: np.ndarray) -> np.ndarray:
        x = np.fft.rfft(np.concatenate([self.previous, ref]))
        self.previous = ref
        self.spectra = np.roll(self.spectra, 1, axis=0)
        self.spectra[0] = x
        if not self.spectra.any():  # nothing played within the span: nothing to take out
            return mic
        error = mic - self._echo(self.in_use)
        trial = mic - self._echo(self.adapting)
        self.errors = 0.8 * self.errors + 0.2 * np.array([error @ error, trial @ trial])
        energy = np.abs(self.spectra) ** 2  # partitions x bins
        self.power = 0.5 * self.power + 0.5 * energy.sum(axis=0)
        if self._only_echo(mic, loudest=float(energy.sum(axis=1).max())):
            self._learn(trial)
            # Whether the filter in use takes out more than it puts in, judged on echo alone.
            self.worth = (1 - WORTH) * self.worth + WORTH * np.array([error @ error, mic @ mic])
        self.blocks += 1
        if self.worth[0] < HELPS * self.worth[1]:
            self.used += 1
            return error
        return mic

    def _only_echo(self, mic: np.ndarray, *, loudest: float) -> bool:
        """Whether this block is the speaker's echo alone: the microphone against the loudest
        block played lately (``loudest``, its spectral energy) stays near its usual level
        then, and jumps when the user speaks (a Geigel-style check whose threshold is
        learned)."""
        if loudest < 1e-6:
            return False
        ratio = float(mic @ mic) * 2 * BLOCK / loudest
        self.ratios.append(ratio)
        return ratio <= TALKING * float(np.median(self.ratios))

    def _learn(self, trial: np.ndarray) -> None:
        # Adapt the background filter (normalised least mean squares, per frequency).
        e = np.fft.rfft(np.concatenate([np.zeros(BLOCK), trial]))
        gain = self.step / (self.power + 1e-2 * self.power.mean() + 1e-12)
        self.adapting += gain * np.conj(self.spectra) * e
        k = self.turn = (self.turn + 1) % self.parts  # keep each partition a causal filter of
        w = np.fft.irfft(self.adapting[k])             # BLOCK taps, one partition a block
        w[BLOCK:] = 0.0
        self.adapting[k] = np.fft.rfft(w)
        # The filter in use takes the background's weights once they do clearly better; the
        # background starts again from the filter in use when the user's voice threw it off.
        if self.errors[1] < 0.5 * self.errors[0]:
            self.in_use = self.adapting.copy()
            self.errors[0] = self.errors[1]
        elif self.errors[1] > 8 * self.errors[0]:
            self.adapting = self.in_use.copy()
            self.errors[1] = self.errors[0]
