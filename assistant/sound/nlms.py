"""The project's own echo filter: a partitioned-block frequency-domain adaptive filter
(normalised least mean squares per frequency) that learns only on blocks the echo canceller
judges to hold the speaker's echo alone, and keeps two sets of weights: the one in use takes
the learning one's only once it clearly does better, and the learning one starts again from
the one in use when a voice threw it off. So a person talking over the assistant neither
teaches it nor is taken out with the echo (docs/benchmarks.md compares it with SpeexDSP's).
"""
from __future__ import annotations

import numpy as np


class Nlms:
    """``frame`` samples (int16) of microphone and of what was played at a time, the echo
    modelled up to ``tail`` samples after what was played."""

    def __init__(self, *, frame: int, tail: int, step: float = 1.0):
        self.frame, self.parts, self.step = frame, -(-tail // frame), step
        self.reset()

    def reset(self) -> None:
        bins = self.frame + 1
        self.learning = np.zeros((self.parts, bins), np.complex128)
        self.in_use = np.zeros((self.parts, bins), np.complex128)
        self.spectra = np.zeros((self.parts, bins), np.complex128)  # newest first
        self.power = np.full(bins, 1e-6)
        self.previous = np.zeros(self.frame)  # the last block played
        self.errors = np.zeros(2)  # recent error energy of the weights in use, the learning
        self.turn = 0  # which partition's weights are kept causal this block

    def __call__(self, mic: np.ndarray, played: np.ndarray, *, learn: bool) -> np.ndarray:
        """``mic`` with the echo of ``played`` taken out; ``learn``: the block holds the echo
        alone."""
        m, r = mic / 32768.0, played / 32768.0
        self.spectra = np.roll(self.spectra, 1, axis=0)
        self.spectra[0] = np.fft.rfft(np.concatenate([self.previous, r]))
        self.previous = r
        error, trial = m - self._echo(self.in_use), m - self._echo(self.learning)
        self.errors = 0.8 * self.errors + 0.2 * np.array([error @ error, trial @ trial])
        self.power = 0.5 * self.power + 0.5 * (np.abs(self.spectra) ** 2).sum(axis=0)
        if learn:
            self._learn(trial)
        return np.clip(np.round(error * 32768.0), -32768, 32767).astype(np.int16)

    def _echo(self, weights: np.ndarray) -> np.ndarray:
        return np.fft.irfft((weights * self.spectra).sum(axis=0))[self.frame:]

    def _learn(self, trial: np.ndarray) -> None:
        n = self.frame
        e = np.fft.rfft(np.concatenate([np.zeros(n), trial]))
        gain = self.step / (self.power + 1e-2 * self.power.mean() + 1e-12)
        self.learning += gain * np.conj(self.spectra) * e
        k = self.turn = (self.turn + 1) % self.parts  # one partition a block is kept a causal
        w = np.fft.irfft(self.learning[k])              # filter of ``frame`` taps
        w[n:] = 0.0
        self.learning[k] = np.fft.rfft(w)
        if self.errors[1] < 0.5 * self.errors[0]:
            self.in_use = self.learning.copy()
            self.errors[0] = self.errors[1]
        elif self.errors[1] > 8 * self.errors[0]:
            self.learning = self.in_use.copy()
            self.errors[1] = self.errors[0]
