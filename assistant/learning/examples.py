"""The examples learned from: windows of speech embeddings with their labels, made from
a recording, and kept on disk step by step so an interrupted learning goes on where it
stopped."""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from .. import store
from ..hearing.embedding import BLOCK, FRAMES, Embedder
from ..sound import IN_RATE
from .augment import clip_like

#: Examples kept on disk for learning are half precision: half the memory and the disk, and
#: far finer than the differences learned from (an embedding's rounding error is ~1e-3).
STORED = np.float16


def positive_windows(sound: np.ndarray, embedder: Embedder, rng: np.random.Generator,
                     noises: list[np.ndarray], after: np.ndarray | None = None
                     ) -> tuple[np.ndarray, float]:
    """Windows ending just after the phrase, from a random position in the first block.

    ``after`` is speech that follows the phrase, as when it is said inside a sentence.
    """
    lead = int(rng.integers(BLOCK)) + BLOCK * int(rng.integers(2, 6))
    loud = np.flatnonzero(np.abs(sound) > 0.05 * np.abs(sound).max())
    end = lead + (loud[-1] if len(loud) else len(sound))
    if after is not None:
        gap = np.zeros(int(rng.integers(IN_RATE // 8)), np.float32)
        sound = np.concatenate([sound, gap, after])
    windows = embedder.history(embedder.clip(clip_like(sound, rng, noises, lead) * 32767))
    first = int(np.ceil(end / BLOCK))  # the first block that holds the phrase's end
    duration = (len(loud) and (loud[-1] - loud[0])) / IN_RATE
    # A copy: a slice would keep the whole recording's windows alive (140 MB a phrase).
    return windows[first - 1:first + 2].copy(), duration


def negative_windows(sound: np.ndarray, embedder: Embedder, rng: np.random.Generator,
                     noises: list[np.ndarray], piece: float = 2.0) -> np.ndarray:
    """Every window of ``sound``, cut into short recordings."""
    n = int(piece * IN_RATE)
    parts = [clip_like(sound[i:i + n], rng, noises, BLOCK * int(rng.integers(1, 4)))
             for i in range(0, len(sound), n)]
    return np.concatenate([embedder.history(embedder.clip(p * 32767)) for p in parts])


@dataclass
class Examples:
    """Windows of embeddings with their labels (0: none of the phrases, k: phrase k)."""

    windows: list[np.ndarray] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    duration: float = 0.0
    """For one phrase's examples: how long it typically takes to say."""

    def add(self, windows: np.ndarray, label: int) -> None:
        self.windows.append(windows.astype(STORED))
        self.labels += [label] * len(windows)

    def extend(self, other: Examples) -> None:
        self.windows += other.windows
        self.labels += other.labels

    def matrix(self, *, consume: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Every window as one row of a float32 matrix, and the labels. With ``consume``,
        each part is let go as soon as it is copied in, so the examples are held once, not
        twice."""
        rows = sum(len(w) for w in self.windows)
        x = np.empty((rows, FRAMES * 96), np.float32)
        at = 0
        for i, w in enumerate(self.windows):
            x[at:at + len(w)] = w.reshape(len(w), -1)
            at += len(w)
            if consume:
                self.windows[i] = np.zeros((0,) + w.shape[1:], STORED)  # not a view of w
        return x, np.array(self.labels)



def write_step(path: Path, made: Examples) -> None:
    """One finished step: its windows (``.npy`` in half precision, readable without loading
    it all), then its labels (``.npz``), which mark the step as whole."""
    def windows(f: BinaryIO) -> None:  # part after part, never all of them joined in memory
        rows = sum(len(w) for w in made.windows)
        np.lib.format.write_array_header_1_0(f, {
            "descr": np.lib.format.dtype_to_descr(np.dtype(STORED)), "fortran_order": False,
            "shape": (rows, FRAMES, 96)})
        for w in made.windows:
            f.write(np.ascontiguousarray(w, STORED).tobytes())

    store.write_private_with(path.with_suffix(".npy"), windows)
    buffer = io.BytesIO()
    np.savez(buffer, labels=np.array(made.labels), duration=np.array(made.duration))
    store.write_private(path.with_suffix(".npz"), buffer.getvalue())


def read_step(path: Path, *, windows: bool = True) -> Examples | None:
    """A step kept by an earlier, interrupted learning (None if not there or unreadable);
    its windows too, or only their labels."""
    try:
        with np.load(path.with_suffix(".npz")) as data:
            made = Examples([], [int(x) for x in data["labels"]], float(data["duration"]))
        rows = np.load(path.with_suffix(".npy"), mmap_mode="r")
        if len(rows) != len(made.labels):
            return None
        if windows:
            made.windows.append(np.array(rows))
        del rows  # unmapped
        return made
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def read_rows(path: Path, rows: int = 4096) -> Iterator[np.ndarray]:
    """The rows of a 2- or 3-dimensional ``.npy`` file, a few thousand at a time, flattened,
    read (not mapped: a mapping would hold every page it had touched)."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)
        shape, _, dtype = header(f)
        width = int(np.prod(shape[1:]))
        left = shape[0]
        while left:
            n = min(rows, left)
            yield np.fromfile(f, dtype=dtype, count=n * width).reshape(n, width)
            left -= n


def streamed(parts: list[Path], extra: Examples, path: Path) -> np.ndarray:
    """The windows of every step's file, then ``extra``'s, as rows of one half-precision
    matrix in a file (``path``): the system keeps in memory what the fit reads, and can let
    it go; each step's file is mapped only while it is copied."""
    counts = [np.load(p, mmap_mode="r").shape[0] for p in parts]
    rows = sum(counts) + sum(len(w) for w in extra.windows)
    x = np.lib.format.open_memmap(path, mode="w+", dtype=STORED, shape=(rows, FRAMES * 96))
    os.chmod(path, 0o600)
    at = 0
    for part in parts:
        for chunk in read_rows(part):
            x[at:at + len(chunk)] = chunk
            at += len(chunk)
    for w in extra.windows:
        x[at:at + len(w)] = w.reshape(len(w), -1)
        at += len(w)
    return x
