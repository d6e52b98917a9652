"""A voice of their own: a routine's steps recorded by the person (or a safe person), played
instead of the synthetic voice (``grounding record``).

Each take is kept in the data folder (``takes/``, 0700; each file 0600), named by the words
of the step it says, as it is said today (placeholders such as ``{name}`` filled): a step
whose words change is spoken by the synthetic voice again until it is recorded anew, and a
step with the time or the day in it (``{time}``, ``{weekday}``...) is never recorded.
Everything else about a routine stays as it is: pause, resume, repeat and skip move between
its steps; slower and faster change the waits between them, never the recording.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from ..settings import PLACEHOLDER
from ..sound import OUT_RATE, AudioError
from ..sound.files import read_wav, wav_bytes
from ..store import private_folder, write_private

FOLDER = "takes"
#: Placeholders whose words change from one day or minute to the next.
CHANGING = {"time", "weekday", "date", "time_of_day", "month", "year"}


def recordable(step_text: str) -> bool:
    """Whether a step's words stay the same from day to day (no time or day in them)."""
    return not any(m.group(1) in CHANGING for m in PLACEHOLDER.finditer(step_text))


def take_path(store: Path, text: str) -> Path:
    """Where the take of ``text`` (a step's words, placeholders filled) is kept."""
    said = " ".join(text.split())
    return store / FOLDER / f"{hashlib.sha256(said.encode()).hexdigest()[:32]}.wav"


def keep(store: Path, text: str, sound: np.ndarray) -> Path:
    """Keep ``sound`` (float at ``OUT_RATE``) as the take of ``text``."""
    private_folder(store / FOLDER)
    path = take_path(store, text)
    write_private(path, wav_bytes(sound, OUT_RATE))
    return path


def take_of(store: Path | None, text: str) -> np.ndarray | None:
    """The take of ``text`` (float at ``OUT_RATE``), if it was recorded."""
    if store is None:
        return None
    path = take_path(store, text)
    if not path.exists():
        return None
    try:
        return read_wav(path, OUT_RATE)
    except AudioError:
        return None  # a damaged take: the synthetic voice says the step


def forget(store: Path) -> int:
    """Delete every take; how many there were."""
    folder = store / FOLDER
    if not folder.exists():
        return 0
    count = len(list(folder.glob("*.wav")))
    shutil.rmtree(folder)
    return count
