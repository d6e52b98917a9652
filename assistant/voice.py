"""Speech out: pyttsx3 renders text to samples; the assistant plays them itself.

pyttsx3 2.99 on Linux plays through ``aplay`` and cannot be stopped, so it is
only asked to write a WAV file, which is read back, cached and played by the
``Player``.
"""
from __future__ import annotations

import contextlib
import io
import tempfile
import threading
from pathlib import Path

import numpy as np

from .audio import OUT_RATE, read_wav


class VoiceError(Exception):
    """Speech synthesis is not available; the message is one sentence."""


class Voice:
    """Text to float32 samples at ``OUT_RATE``, each text rendered once."""

    def __init__(self, *, rate: int = 150, volume: float = 1.0, voice: str = ""):
        self.rate, self.volume, self.voice = rate, volume, voice
        self._engine = None
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._dir = tempfile.TemporaryDirectory(prefix="grounding-voice-")

    def _start(self):
        try:
            import pyttsx3

            with contextlib.redirect_stdout(io.StringIO()):
                engine = pyttsx3.init()
        except Exception as exc:
            raise VoiceError(f"The speech synthesiser could not start ({exc}); install "
                             "espeak-ng (the setup command does this).") from None
        engine.setProperty("rate", self.rate)
        engine.setProperty("volume", 1.0)
        if self.voice:
            known = {v.id for v in engine.getProperty("voices")}
            if self.voice not in known:
                raise VoiceError(f"voice.voice is '{self.voice}', which espeak-ng does not have; "
                                 "`espeak-ng --voices` lists them.")
            engine.setProperty("voice", self.voice)
        return engine

    def say(self, text: str) -> np.ndarray:
        """Samples of ``text`` spoken, with leading and trailing silence trimmed."""
        text = " ".join(text.split())
        if not text:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            if text not in self._cache:
                self._cache[text] = self._render(text)
            return self._cache[text]

    def _render(self, text: str) -> np.ndarray:
        if self._engine is None:
            self._engine = self._start()
        path = Path(self._dir.name) / f"{len(self._cache)}.wav"
        with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved"
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
        if not path.exists():
            raise VoiceError(f"The speech synthesiser produced no sound for '{text[:40]}'.")
        sound = read_wav(path, OUT_RATE)
        path.unlink()
        return trim(sound) * self.volume


def trim(sound: np.ndarray, floor: float = 0.003) -> np.ndarray:
    loud = np.flatnonzero(np.abs(sound) > floor)
    if len(loud) == 0:
        return sound[:0]
    pad = int(0.02 * OUT_RATE)
    return sound[max(loud[0] - pad, 0):loud[-1] + pad].astype(np.float32)
