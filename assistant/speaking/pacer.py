"""Breathing pacer: one continuous timeline, so every phase starts exactly on time.

Phase starts are computed from absolute time (``round(t * rate)``), never by
adding rounded lengths, so there is no drift however long it runs. A spoken
cue longer than its phase is shortened (with a short fade); the phase is never
stretched.
"""
from __future__ import annotations

import functools

import numpy as np

from ..settings import Breathing
from ..sound import OUT_RATE
from .timeline import LEAD_IN, Builder, Mark, Program
from .voice import Voice
from .words import fill

TONE_LOW, TONE_HIGH = 196.0, 294.0  # G3 to D4: a soft rise and fall
TONE_LEVEL = 0.06
FADE = 0.03  # seconds of fade on cut cues and at tone edges
MIN_BPM, MAX_BPM = 3.0, 10.0
PHASES = ("inhale", "hold", "exhale", "hold")


def clamp_pace(phases: tuple[float, ...], pace: float) -> float:
    """Scale ``pace`` so the breath stays between 3 and 10 breaths a minute."""
    base = sum(phases)
    return min(max(pace, 60.0 / MAX_BPM / base), 60.0 / MIN_BPM / base)


def cycle_count(b: Breathing, phases: tuple[float, ...], minutes: float | None,
                cycles: int | None) -> int:
    if cycles:
        return cycles
    if minutes is None and b.cycles:
        return b.cycles
    return max(1, round((minutes or b.minutes) * 60.0 / sum(phases)))


def tone(seconds: float, start_hz: float, end_hz: float) -> np.ndarray:
    """A gliding tone; the same few are asked for in every breath, so each is made once (a
    breathing session starts while the microphone waits: it must be quick to lay out)."""
    return _tone(int(round(seconds * OUT_RATE)), start_hz, end_hz)


@functools.lru_cache(maxsize=16)
def _tone(n: int, start_hz: float, end_hz: float) -> np.ndarray:
    freq = np.linspace(start_hz, end_hz, n)
    wave = np.sin(2 * np.pi * np.cumsum(freq) / OUT_RATE)
    out = (TONE_LEVEL * wave * envelope(n)).astype(np.float32)
    out.flags.writeable = False  # shared by every breath that uses it
    return out


def envelope(n: int) -> np.ndarray:
    fade = min(int(FADE * OUT_RATE), n // 2)
    env = np.ones(n, dtype=np.float32)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        env[:fade], env[n - fade:] = ramp, ramp[::-1]
    return env


def fit(sound: np.ndarray, n: int) -> np.ndarray:
    """``sound`` shortened to ``n`` samples with a fade, if it is longer."""
    if len(sound) <= n:
        return sound
    out = sound[:n].copy()
    fade = min(int(FADE * OUT_RATE), n)
    out[n - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


def breathing(b: Breathing, *, voice: Voice, values: dict[str, str], pattern: str | None = None,
              minutes: float | None = None, cycles: int | None = None,
              pace: float = 1.0) -> Program:
    """Render a breathing session. ``pace`` above 1 is slower (longer breaths)."""
    base = b.patterns[pattern or b.pattern]
    pace = clamp_pace(base, pace)
    phases = tuple(p * pace for p in base)
    count = cycle_count(b, base, minutes, cycles)
    lead = Builder(voice)
    lead.add(np.zeros(int(LEAD_IN * OUT_RATE), np.float32))
    if b.intro:
        lead.section("intro", fill(b.intro, values))
        lead.speak(fill(b.intro, values))
        lead.silence(1.0)
    if b.hold_caution and (base[1] > 0 or base[3] > 0):
        lead.section("caution", fill(b.hold_caution, values))
        lead.speak(fill(b.hold_caution, values))
        lead.silence(1.0)
    start = lead.length / OUT_RATE
    cycle_len = sum(phases)
    total = int(round((start + count * cycle_len) * OUT_RATE))
    sound = np.zeros(total, dtype=np.float32)
    sound[:lead.length] = np.concatenate(lead.parts)
    marks = list(lead.marks)
    plan = ", ".join(f"{b.cues[phase] or phase} {seconds:.3g} s"
                     for phase, seconds in zip(PHASES, phases) if seconds > 0)
    for k in range(count):
        t = start + k * cycle_len
        marks.append(Mark(int(round(t * OUT_RATE)), f"breath {k + 1}", plan))
        for phase, seconds in zip(PHASES, phases):
            if seconds > 0:
                lay_phase(sound, b, voice, phase, int(round(t * OUT_RATE)),
                          int(round((t + seconds) * OUT_RATE)))
            t += seconds
    program = Program("breathing", sound, marks, phases)
    if b.outro:
        outro = voice.say(fill(b.outro, values))
        program.marks.append(Mark(len(sound), "outro", fill(b.outro, values)))
        program.sound = np.concatenate([sound, np.zeros(int(0.5 * OUT_RATE), np.float32), outro])
    return program


def lay_phase(sound: np.ndarray, b: Breathing, voice: Voice, phase: str, a: int, z: int) -> None:
    """Write one phase's tone, cue and count into ``sound[a:z]``."""
    n = z - a
    if b.tone and phase in ("inhale", "exhale"):
        low, high = (TONE_LOW, TONE_HIGH) if phase == "inhale" else (TONE_HIGH, TONE_LOW)
        sound[a:z] += tone(n / OUT_RATE, low, high)[:n]
    cue = fit(voice.say(b.cues[phase]), max(n - int(0.1 * OUT_RATE), 0))
    sound[a:a + len(cue)] += cue
    if b.count:
        for second in range(2, int(n / OUT_RATE) + 1):
            at = a + (second - 1) * OUT_RATE
            number = fit(voice.say(str(second)), int(0.8 * OUT_RATE))
            if at + len(number) <= z:
                sound[at:at + len(number)] += number
