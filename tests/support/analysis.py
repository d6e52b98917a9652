"""Measuring the assistant's own output, for tests and benchmarks.

Timings are taken from the audio itself, not from the code that made it.
"""
from __future__ import annotations

import numpy as np

from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.files import Resampler, to_int16

FRAME = 0.002  # seconds per envelope frame (rounded down to whole samples)


def speech_onsets(sound: np.ndarray, *, rate: int = OUT_RATE, gap: float = 0.25,
                  level: float = 0.01) -> np.ndarray:
    """Seconds where speech starts after at least ``gap`` of no speech.

    A double difference keeps the spoken cues (above ~1 kHz) and removes the
    low breathing tone, so only words are timed.
    """
    high = np.diff(sound.astype(np.float64), n=2)
    n = int(FRAME * rate)
    step = n / rate  # seconds a frame really spans
    env = np.sqrt((high[:len(high) // n * n].reshape(-1, n) ** 2).mean(axis=1))
    found, quiet_for = [], gap
    for i, on in enumerate(env > level):
        if on and quiet_for >= gap:
            found.append(i * step)
        quiet_for = 0.0 if on else quiet_for + step
    return np.array(found)


def speech_end(samples: np.ndarray, *, rate: int = IN_RATE) -> float:
    """Seconds where speech ends: the last 10 ms frame above a tenth of the loudest."""
    n = rate // 100
    frames = samples[:len(samples) // n * n].reshape(-1, n)
    rms = np.sqrt((frames ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.1 * rms.max())
    return (loud[-1] + 1) * 0.01 if len(loud) else len(samples) / rate


def onset_delay(sound: np.ndarray, *, rate: int = OUT_RATE) -> float:
    """How long after the start of ``sound`` (one word) ``speech_onsets`` finds it."""
    lead = 0.5
    padded = np.concatenate([np.zeros(int(lead * rate), np.float32), sound])
    return float(speech_onsets(padded, rate=rate)[0]) - lead


def tone_pitch(sound: np.ndarray, start: float, end: float, *, rate: int = OUT_RATE) -> float:
    """Frequency of a pure tone between two times, from its zero crossings."""
    part = sound[int(start * rate):int(end * rate)].astype(np.float64)
    crossings = np.flatnonzero(np.diff(np.signbit(part)))
    return len(crossings) / 2 / (len(part) / rate)


def phase_timing(sound: np.ndarray, phases: list[float], cue_delays: list[float]) -> dict:
    """Cycle-length error and drift of a rendered breathing session.

    ``phases`` are the non-zero phase lengths of one cycle and ``cue_delays``
    the measured onset delay of each phase's cue word.
    """
    onsets = speech_onsets(sound)
    per_cycle = len(phases)
    cycles = len(onsets) // per_cycle
    onsets = onsets[:cycles * per_cycle] - np.tile(cue_delays, cycles)
    cycle = sum(phases)
    starts = onsets[::per_cycle]
    return {
        "cycles": cycles,
        "phase_error_ms": float(np.abs(np.diff(onsets) - np.tile(phases, cycles)[:-1]).max()) * 1e3,
        "cycle_error_ms": float(np.abs(np.diff(starts) - cycle).max()) * 1e3,
        "drift_ms": float(starts[-1] - starts[0] - (cycles - 1) * cycle) * 1e3,
    }


def best_match(haystack: np.ndarray, needle: np.ndarray) -> tuple[int, float]:
    """Where ``needle`` fits best in ``haystack``, and the normalised correlation there."""
    haystack, needle = haystack.astype(np.float64), needle.astype(np.float64)
    n = len(needle)
    size = 1 << int(np.ceil(np.log2(len(haystack) + n)))
    corr = np.fft.irfft(np.fft.rfft(haystack, size) * np.conj(np.fft.rfft(needle, size)), size)
    energy = np.sqrt(np.maximum(np.convolve(haystack ** 2, np.ones(n), "valid"), 0.0))
    if not energy.any():
        return 0, 0.0  # silence holds nothing
    scores = corr[:len(energy)] / np.maximum(energy, 0.1 * energy.max()) / np.linalg.norm(needle)
    at = int(np.argmax(scores))
    return at, float(scores[at])


class Room:
    """The speaker as a laptop's microphone hears it: ``delay`` late, through a small room's
    echo (which begins with the direct sound), and with a little noise (``noise``, its
    standard deviation). ``gain`` is the echo's level at the microphone; ``drift``, parts per
    million by which the speaker's clock runs fast against the microphone's (two sound
    cards: the speaker takes that much more of what is played each second)."""

    def __init__(self, *, gain: float = 0.5, seed: int = 0, rate: int = IN_RATE,
                 delay: float = 0.03, noise: float = 0.002, drift: float = 0.0):
        rng = np.random.default_rng(seed)
        n = max(int(0.25 * rate), int(delay * rate) + int(0.15 * rate))
        first = int(delay * rate)  # nothing reaches the microphone before the direct sound
        ir = np.zeros(n)
        ir[first:] = rng.normal(size=n - first) * np.exp(-6.9 * np.arange(n - first) / n) * 0.05
        ir[first] = 1.0
        self.ir = ir * gain / np.abs(ir).sum() * 4
        self.history = np.zeros(n - 1, np.float32)
        self.rng, self.noise = rng, noise
        self.drift = drift

    def hear(self, played: np.ndarray) -> np.ndarray:
        x = np.concatenate([self.history, played])
        self.history = x[-(len(self.ir) - 1):]
        return np.convolve(x, self.ir, "valid") + self.rng.normal(0, self.noise, len(played))


def loopback(assistant, routine: str, *, room: Room | None = None,
             user: np.ndarray | None = None, chunk: int = 320, limit: float = 600.0,
             until: float | None = None) -> list[dict]:
    """Play ``routine`` with the assistant's speaker output fed back into its microphone
    through ``room`` (and ``user``, 16 kHz float, speaking over it) until all is quiet, or
    ``limit`` seconds if it keeps starting itself again, or ``until`` seconds in any case;
    returns the events logged. The assistant's ``log`` must be an ``EventLog``."""
    room = room or Room()
    player = assistant.player
    user = np.zeros(0, np.float32) if user is None else user
    # The speaker's clock: it takes ``step`` samples for each chunk the microphone hears.
    speed = 1 + room.drift * 1e-6
    step, due = player.rate * chunk / IN_RATE * speed, 0.0
    to_mic, heard = Resampler(player.rate * speed, IN_RATE, quality="HQ"), np.zeros(0, np.float32)
    assistant.start(routine)
    end = min(limit, until if until is not None else limit) * IN_RATE
    i = 0
    while (assistant.busy or i < len(user)) and i < end:
        due += step
        heard = np.concatenate([heard, to_mic(player.read(int(due)))])
        due -= int(due)
        played, heard = np.pad(heard[:chunk], (0, max(0, chunk - len(heard)))), heard[chunk:]
        mic = room.hear(played)
        said = user[i:i + chunk]
        mic[:len(said)] += said
        assistant.feed(to_int16(mic))
        i += chunk
    return list(assistant.log.events)
