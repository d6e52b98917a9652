"""Rooms, microphones and noise for synthetic speech, so what is learned holds in a home."""
from __future__ import annotations

import numpy as np

from ..hearing.embedding import BLOCK
from ..sound import IN_RATE


def glide(n: int, rng: np.random.Generator) -> np.ndarray:
    """A soft tone gliding up and down between about 150 and 400 Hz, as the pacer's does."""
    t = np.arange(n) / IN_RATE
    period = rng.uniform(6, 14)
    low, high = rng.uniform(150, 220), rng.uniform(260, 400)
    f = low + (high - low) * (0.5 - 0.5 * np.cos(2 * np.pi * t / period))
    return np.sin(2 * np.pi * np.cumsum(f) / IN_RATE).astype(np.float32)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.normal(size=n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    x = np.fft.irfft(spectrum, n)
    return (x / (np.std(x) + 1e-9)).astype(np.float32)


def room(sound: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A small random room: exponentially decaying noise as the impulse response."""
    rt = rng.uniform(0.1, 0.5)
    n = int(rt * IN_RATE)
    ir = rng.normal(size=n) * np.exp(-6.9 * np.arange(n) / n)
    ir[0] = 1.0 / rng.uniform(0.2, 0.6)
    wet = convolve(sound, ir / np.abs(ir).sum() * 4)
    return (wet / (np.abs(wet).max() + 1e-9) * np.abs(sound).max()).astype(np.float32)


def convolve(sound: np.ndarray, ir: np.ndarray) -> np.ndarray:
    """``sound`` through the impulse response ``ir``, as long as ``sound``: by the FFT, a
    hundred times quicker than directly for a room's half second."""
    n = len(sound) + len(ir) - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(sound, size) * np.fft.rfft(ir, size), size)[:len(sound)]


def microphone(sound: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random cheap microphone: band limits and a tilt of the spectrum."""
    spectrum = np.fft.rfft(sound)
    f = np.fft.rfftfreq(len(sound), 1 / IN_RATE)
    low, high = rng.uniform(60, 400), rng.uniform(3000, 7800)
    shape = 1 / (1 + (low / np.maximum(f, 1)) ** 4) / (1 + (f / high) ** 4)
    shape *= (np.maximum(f, 100) / 1000) ** rng.uniform(-0.4, 0.4)
    return np.fft.irfft(spectrum * shape, len(sound)).astype(np.float32)


def augment(sound: np.ndarray, rng: np.random.Generator, noises: list[np.ndarray]) -> np.ndarray:
    if rng.random() < 0.7:
        sound = microphone(sound, rng)
    if rng.random() < 0.5:
        sound = room(sound, rng)
    if rng.random() < 0.8:
        noise = noises[int(rng.integers(len(noises)))]
        if len(noise) <= len(sound):
            noise = np.resize(noise, len(sound) + IN_RATE)
        start = int(rng.integers(len(noise) - len(sound)))
        loud = sound[np.abs(sound) > 0.05 * np.abs(sound).max()]
        power = float(np.mean(loud ** 2)) if len(loud) else 1e-4
        snr = rng.uniform(3, 30)
        sound = sound + noise[start:start + len(sound)] * np.sqrt(power / 10 ** (snr / 10))
    gain = 10 ** (rng.uniform(-18, 0) / 20) / (np.abs(sound).max() + 1e-9)
    return (sound * gain * 0.9).astype(np.float32)


def clip_like(sound: np.ndarray, rng: np.random.Generator, noises: list[np.ndarray],
              lead: int) -> np.ndarray:
    """``sound`` after ``lead`` samples, noise and room over all of it, and sometimes cut to
    digital silence before and after, as a recording's edges are."""
    x = np.concatenate([np.zeros(lead, np.float32), sound, np.zeros(BLOCK * 4, np.float32)])
    x = augment(x, rng, noises)
    if rng.random() < 0.5:
        x[:int(rng.integers(lead + 1))] = 0.0
        x[len(x) - int(rng.integers(BLOCK * 4)):] = 0.0
    return x

