"""The user's own voice: a few recordings of a phrase, made on purpose and kept on the device.

These are the only sounds the assistant ever keeps. They live in
``enrolled/<phrase>/`` of the user's data folder (see ``store.py``) as short
WAV files the user can play or delete (``grounding enroll --forget``), and the
embedding engine learns from them next to its synthetic voices.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import store
from ..sound import IN_RATE
from ..sound.files import read_wav, to_int16, wav_bytes

PAD = 0.15  # seconds kept before and after the speech
LONGEST = 4.0  # seconds a take may last
QUIET = 10 ** (-40 / 20)  # speech peak below this (full scale 1.0) is too quiet to learn from


class TakeError(ValueError):
    """A recording that cannot be learned from; the message says what to do."""


def folder(data: Path, phrase: str) -> Path:
    """Where the takes of ``phrase`` are kept in the data folder ``data``."""
    return data / "enrolled" / "-".join(phrase.split())


def trim(samples: np.ndarray, rate: int = IN_RATE) -> np.ndarray:
    """The spoken part of a take (float, full scale 1.0), with a little silence around it."""
    x = samples.astype(np.float32)
    n = rate // 100
    frames = x[:len(x) // n * n].reshape(-1, n)
    rms = np.sqrt((frames ** 2).mean(axis=1)) if len(frames) else np.zeros(1)
    if np.abs(x).max(initial=0.0) < QUIET:
        raise TakeError("too quiet to hear: speak a little closer to the microphone.")
    # Speech: above a tenth of the loudest, and well above the room's own level.
    loud = np.flatnonzero(rms >= max(0.1 * rms.max(),
                                     min(4 * np.percentile(rms, 10), 0.5 * rms.max())))
    start, end = loud[0] * n, (loud[-1] + 1) * n
    if (end - start) / rate > LONGEST:
        raise TakeError(f"longer than {LONGEST:.0f} seconds: say just the phrase, "
                        "with a moment of quiet before and after.")
    if np.mean(np.abs(x[start:end]) > 0.99) > 0.01:
        raise TakeError("too loud (the sound is clipped): speak a little further from the "
                        "microphone.")
    pad = int(PAD * rate)
    return x[max(0, start - pad):end + pad]


def load(data: Path, phrases: tuple[str, ...]) -> dict[str, list[np.ndarray]]:
    """Every enrolled take of the configured phrases."""
    found = {}
    for phrase in phrases:
        takes = sorted(folder(data, phrase).glob("take-*.wav"))
        if takes:
            found[phrase] = [read_wav(t, IN_RATE) for t in takes]
    return found


def digest(enrolled: dict[str, list[np.ndarray]]) -> str:
    """A short fingerprint of the takes, so a learned model knows which ones it heard."""
    h = hashlib.sha256()
    for phrase in sorted(enrolled):
        h.update(phrase.encode())
        for take in enrolled[phrase]:
            h.update(to_int16(take).tobytes())
    return h.hexdigest()[:16]


def save(data: Path, phrase: str, takes: list[np.ndarray]) -> Path:
    """Replace the phrase's takes with these."""
    drop_learned(data)
    where = folder(data, phrase)
    if where.exists():
        shutil.rmtree(where)
    store.private_folder(where)
    for i, take in enumerate(takes, start=1):
        store.write_private(where / f"take-{i}.wav", wav_bytes(take, IN_RATE))
    return where


def forget(data: Path, phrases: tuple[str, ...] | None = None) -> list[str]:
    """Delete the takes of these phrases (all of them with ``None``), and every model learned
    from takes; returns the phrases whose takes were deleted."""
    drop_learned(data)
    base = data / "enrolled"
    if not base.exists():
        return []
    names = {folder(data, p).name for p in phrases} if phrases is not None else None
    gone = []
    for where in sorted(p for p in base.iterdir() if p.is_dir()):
        if names is None or where.name in names:
            shutil.rmtree(where)
            gone.append(where.name.replace("-", " "))
    return gone


def drop_learned(data: Path) -> None:
    """Delete the models learned from enrolled takes (their names end in the takes' digest)."""
    for learned in data.glob("phrases-*-*.npz"):
        learned.unlink()


def level(chunk: np.ndarray) -> float:
    """RMS of int16 samples, full scale 1.0."""
    return float(np.sqrt(np.mean((chunk.astype(np.float32) / 32768) ** 2)))


def record(chunks: Iterator[np.ndarray], *, settle: float = 0.3, quiet_after: float = 0.7,
           wait: float = 8.0) -> np.ndarray:
    """One take (float, full scale 1.0) from a stream of int16 chunks: waits up to ``wait``
    seconds for speech (louder than three times the room), then ends after ``quiet_after``
    seconds of quiet or after ``LONGEST`` seconds. Returns nothing if no one spoke."""
    kept: list[np.ndarray] = []
    levels: list[float] = []
    floor, speaking, quiet, spoken = 0.0, False, 0.0, 0.0
    for chunk in chunks:
        seconds = len(chunk) / IN_RATE
        loud = level(chunk) > max(3 * floor, QUIET / 3)
        if not speaking:
            kept = (kept + [chunk])[-max(1, int(PAD / seconds) + 1):]  # a little lead-in
            levels.append(level(chunk))
            floor = float(np.median(levels[-100:]))
            waited = len(levels) * seconds
            speaking = loud and waited > settle
            if waited > wait:
                return np.zeros(0, np.float32)
            continue
        kept.append(chunk)
        spoken += seconds
        quiet = 0.0 if loud else quiet + seconds
        if quiet >= quiet_after or spoken >= LONGEST + quiet_after:
            break
    return np.concatenate(kept) / np.float32(32768) if speaking else np.zeros(0, np.float32)
