"""Speech out: text rendered to samples, which the assistant plays itself.

The assistant plays every sound through its own ``Player``, so a stop takes one
block. Where the ``espeak-ng`` program is installed (Linux, by the setup
command) each sentence is rendered by it (``espeak.py``), synchronously.
pyttsx3 is used elsewhere (macOS, Windows): on Linux its 2.99 espeak driver
cannot stop once playing, and when asked to save to a file it collects audio
from espeak's background thread and loses some (measured by
``scripts/bench_voice.py``: about one rendering in fifty comes back empty, as
many cut short).
"""
from __future__ import annotations

import collections
import contextlib
import io
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .. import espeak
from ..sound import OUT_RATE
from ..sound.files import read_wav

#: In discreet mode everything it plays is this much of its usual level (6 dB quieter).
DISCREET = 0.5
#: Renderings kept: every sentence of several configurations' routines.
CACHE = 1000
#: Digits read one by one (a phone number) are said this much slower, with this many
#: 10 ms of space between them, so that each one is clear.
CLEAR_PACE, CLEAR_GAP = 0.75, 8


class VoiceError(Exception):
    """Speech synthesis is not available; the message is one sentence."""


class Voice:
    """Text to float32 samples at ``OUT_RATE``, each text rendered once.

    ``synthesiser`` is "espeak-ng", "pyttsx3" or "auto" (espeak-ng where it is installed).
    """

    def __init__(self, *, rate: int = 150, volume: float = 1.0, voice: str = "",
                 synthesiser: str = "auto"):
        self.rate, self.volume, self.voice = rate, volume, voice
        self.espeak = espeak.installed() if synthesiser != "pyttsx3" else None
        if synthesiser == "espeak-ng" and not self.espeak:
            raise VoiceError("espeak-ng is not installed; the setup command installs it.")
        self._engine: Any = None  # pyttsx3, started on first use where there is no espeak-ng
        #: Renderings by text, the oldest forgotten past ``CACHE`` (texts with the time in
        #: them are new every minute).
        self._cache: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._dir: tempfile.TemporaryDirectory | None = None  # pyttsx3's files only

    def describe(self) -> str:
        """Which synthesiser and voice speak, in words."""
        engine = "espeak-ng" if self.espeak else "pyttsx3"
        return f"{engine} ({f'voice {self.voice}' if self.voice else 'its default voice'})"

    @property
    def said(self) -> list[str]:
        """Every text rendered so far, in order."""
        return list(self._cache)

    def say(self, text: str, *, clear: bool = False) -> np.ndarray:
        """Samples of ``text`` spoken, with leading and trailing silence trimmed; ``clear``:
        slower, with space between the words (digits of a phone number)."""
        text = " ".join(text.split())
        if not text:
            return np.zeros(0, dtype=np.float32)
        key = f"[clear] {text}" if clear else text
        with self._lock:
            if key not in self._cache:
                sound = self._espeak(text, clear) if self.espeak else self._pyttsx3(text)
                if len(sound) == 0:
                    raise VoiceError(f"The speech synthesiser produced no sound for "
                                     f"'{text[:40]}'.")
                self._cache[key] = sound * np.float32(self.volume)
                if len(self._cache) > CACHE:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return self._cache[key]

    def _espeak(self, text: str, clear: bool = False) -> np.ndarray:
        rate, gap = (round(self.rate * CLEAR_PACE), CLEAR_GAP) if clear else (self.rate, 0)
        try:
            return trim(espeak.speak(text, voice=self.voice, words_per_minute=rate,
                                     word_gap=gap))
        except espeak.EspeakError as exc:
            raise VoiceError(str(exc)) from None

    # -- pyttsx3, where there is no espeak-ng program --------------------------------------
    def _pyttsx3(self, text: str) -> np.ndarray:
        if self._engine is None:
            self._engine = self._start_pyttsx3()
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="grounding-voice-")
        path = Path(self._dir.name) / f"{len(self._cache)}.wav"
        sound = np.zeros(0, np.float32)
        for _ in range(3):  # its espeak driver sometimes hands back nothing: ask again
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved"
                self._engine.save_to_file(text, str(path))
                self._engine.runAndWait()
            if path.exists():
                sound = trim(read_wav(path, OUT_RATE))
                path.unlink()
            if len(sound):
                break
        return sound

    def _start_pyttsx3(self) -> Any:
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
                raise VoiceError(f"voice.voice is '{self.voice}', which the speech synthesiser "
                                 "does not have.")
            engine.setProperty("voice", self.voice)
        return engine


def trim(sound: np.ndarray, floor: float = 0.003) -> np.ndarray:
    loud = np.flatnonzero(np.abs(sound) > floor)
    if len(loud) == 0:
        return sound[:0]
    pad = int(0.02 * OUT_RATE)
    return sound[max(loud[0] - pad, 0):loud[-1] + pad].astype(np.float32)
