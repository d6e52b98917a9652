"""Speech out: text rendered to samples, which the assistant plays itself.

The assistant plays every sound through its own ``Player``, so a stop takes one
block. Two voices speak (``voice.engine``):

- **piper**, the default: a natural human voice (``piper.py``, a worker process of its
  own). Where it is not installed, espeak-ng speaks instead, and ``describe`` says so.
- **espeak**: the ``espeak-ng`` program (``espeak.py``), robotic and quick to render.
  pyttsx3 is used where there is no espeak-ng (macOS, Windows): on Linux its 2.99 espeak
  driver cannot stop once playing, and when asked to save to a file it collects audio from
  espeak's background thread and loses some (``scripts/bench_voice.py``: about one
  rendering in fifty comes back empty, as many cut short).

Both voices say ``voice.rate`` words a minute while speaking (measured by
``scripts/bench_speech.py``; espeak-ng is asked for less, as it speaks quicker than it is
asked), one sentence at a time with a breath of quiet between sentences. Each text is
rendered once and kept in memory; the natural voice's renderings are also kept in the data
folder (``cache``), so a second start renders nothing. The cache holds only the assistant's
own words, never anything heard.
"""
from __future__ import annotations

import collections
import contextlib
import hashlib
import io
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import espeak
from ..settings import Config
from ..sound import OUT_RATE
from ..sound.files import read_wav
from ..store import default_store, private_folder, write_private_with
from .piper import Piper, PiperError
from .takes import take_of

#: In discreet mode everything it plays is this much of its usual level (6 dB quieter).
DISCREET = 0.5
#: Renderings kept in memory: every sentence of several configurations' routines.
CACHE = 1000
#: Renderings kept on disk, the oldest (by use) forgotten past it (texts with the time in
#: them are new every minute).
DISK_CACHE = 3000
#: Digits read one by one (a phone number) are said this much slower, with this many
#: 10 ms of space between them, so that each one is clear.
CLEAR_PACE, CLEAR_GAP = 0.9, 8
#: Seconds of quiet between two sentences of one text: a breath.
SENTENCE_GAP = 0.6
#: A sentence ends at . ! or ? followed by a space.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: What the Piper voice is asked for to say ``rate`` words a minute while speaking (measured
#: on the shipped pause, body scan and grounding routines; ``scripts/bench_speech.py``
#: checks it, docs/benchmarks.md): it takes this many seconds a word, plus this many for
#: each unit of its ``length_scale`` (221.8, 163.8 and 128.5 words a minute at 1.0, 1.5 and
#: 2.0).
PIPER_WORD, PIPER_SCALED = 0.074, 0.196
#: espeak-ng says about this many times the words a minute it is asked for, sentence by
#: sentence (1.24 to 1.25 over the shipped routines, asked for 89 to 161; ``tests/test_voice.py``
#: checks the pace), and goes no slower than its slowest.
ESPEAK_QUICKER, ESPEAK_SLOWEST = 1.24, 80


class VoiceError(Exception):
    """Speech synthesis is not available; the message is one sentence."""


class Voice:
    """Text to float32 samples at ``OUT_RATE``, each text rendered once.

    ``synthesiser`` is "piper" (espeak-ng where Piper is not installed), "espeak-ng",
    "pyttsx3" or "auto" (espeak-ng where it is installed, else pyttsx3). ``cache``: a
    private folder that keeps every rendering from one start to the next. ``takes``: the
    data folder whose recorded steps (``takes.py``) are played instead of synthesis.
    """

    def __init__(self, *, rate: int = 150, volume: float = 1.0, voice: str = "",
                 synthesiser: str = "auto", cache: Path | None = None,
                 takes: Path | None = None):
        self.rate, self.volume, self.voice, self.takes = rate, volume, voice, takes
        self.piper: Piper | None = None
        self.fallback = ""  # why Piper was asked for and espeak-ng speaks
        if synthesiser == "piper":
            try:
                self.piper = Piper()
            except PiperError as exc:
                self.fallback = str(exc)
        self.espeak = espeak.installed() if synthesiser != "pyttsx3" else None
        if synthesiser == "espeak-ng" and not self.espeak:
            raise VoiceError("espeak-ng is not installed; the setup command installs it.")
        self._engine: Any = None  # pyttsx3, started on first use where there is no espeak-ng
        #: Renderings by text, the oldest forgotten past ``CACHE``.
        self._cache: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._rendering = threading.Lock()
        self._dir: tempfile.TemporaryDirectory | None = None  # pyttsx3's files only
        self.disk = private_folder(cache) if cache is not None else None
        self.rendered = 0  # texts rendered by the engine (not found in a cache)
        if self.disk is not None:
            forget_oldest(self.disk, DISK_CACHE)

    @property
    def engine(self) -> str:
        """Which synthesiser speaks: "piper", "espeak-ng" or "pyttsx3"."""
        return "piper" if self.piper else "espeak-ng" if self.espeak else "pyttsx3"

    def describe(self) -> str:
        """Which synthesiser and voice speak, in words."""
        if self.piper:
            return "Piper (the natural voice en_US-joe-medium)"
        said = f"{self.engine} ({f'voice {self.voice}' if self.voice else 'its default voice'})"
        return f"{said}: {self.fallback}" if self.fallback else said

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
        with self._lock:  # brief: a text already rendered never waits for a rendering
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        with self._rendering:  # one text at a time; a routine rendered ahead waits its turn
            with self._lock:
                found = self._cache.get(key)  # rendered by the other thread meanwhile
            if found is None:
                kept = self.disk is not None and self.piper is not None  # quick to render
                sound = self._kept(key) if kept else None
                if sound is None:
                    sound = self._render(text, clear)
                    self.rendered += 1
                    if kept:  # as the next start will read it back: the same samples
                        sound = self._keep(key, sound)
                found = sound * np.float32(self.volume)
            with self._lock:
                self._cache[key] = found
                if len(self._cache) > CACHE:
                    self._cache.popitem(last=False)
            return found

    def take(self, text: str) -> np.ndarray | None:
        """The person's own recording of ``text`` (a whole step), if there is one."""
        sound = take_of(self.takes, text)
        return None if sound is None else sound * np.float32(self.volume)

    def has(self, text: str) -> bool:
        """Whether ``text`` is rendered already (in memory or in the cache)."""
        key = " ".join(text.split())
        with self._lock:
            if key in self._cache:
                return True
        return self.disk is not None and self.piper is not None and self._file(key).exists()

    def _render(self, text: str, clear: bool) -> np.ndarray:
        if self.piper:
            try:
                sound = self._piper(text, clear)
            except PiperError as exc:  # espeak-ng speaks from here on
                self.piper.close()
                self.piper, self.fallback = None, str(exc)
            else:
                if len(sound):
                    return sound
        sound = self._espeak(text, clear) if self.espeak else self._pyttsx3(text)
        if not len(sound):
            raise VoiceError(f"The speech synthesiser produced no sound for '{text[:40]}'.")
        return sound

    def _piper(self, text: str, clear: bool) -> np.ndarray:
        """``text`` said by the natural voice."""
        assert self.piper is not None
        seconds = 60.0 / (self.rate * (CLEAR_PACE if clear else 1.0))
        scale = max((seconds - PIPER_WORD) / PIPER_SCALED, 0.5)
        piper = self.piper
        return by_sentence(text, lambda sentence: piper.speak(sentence, length_scale=scale))

    # -- the cache in the data folder ------------------------------------------------------
    def _file(self, key: str) -> Path:
        assert self.disk is not None
        what = f"{self.engine}|{self.voice}|{self.rate}|{key}"
        return self.disk / f"{hashlib.sha256(what.encode()).hexdigest()[:32]}.npy"

    def _kept(self, key: str) -> np.ndarray | None:
        path = self._file(key)
        try:
            sound = np.load(path, allow_pickle=False)
            os.utime(path)  # used: the last to be forgotten
        except (OSError, ValueError):
            return None
        return sound.astype(np.float32) / 32768.0

    def _keep(self, key: str, sound: np.ndarray) -> np.ndarray:
        """``sound`` kept in the cache, as 16-bit samples; returned as they will be read."""
        samples = np.clip(np.round(sound * 32768.0), -32768, 32767).astype(np.int16)
        with contextlib.suppress(OSError):  # a full disk costs only the next start's time
            write_private_with(self._file(key), lambda f: np.save(f, samples))
        return samples.astype(np.float32) / 32768.0

    def close(self) -> None:
        """End the Piper worker, if there is one."""
        if self.piper:
            self.piper.close()

    def _espeak(self, text: str, clear: bool = False) -> np.ndarray:
        """``text`` said by espeak-ng, asked for what makes it say ``rate`` words a minute."""
        rate = self.rate * (CLEAR_PACE if clear else 1.0)
        asked = max(ESPEAK_SLOWEST, round(rate / ESPEAK_QUICKER))
        slowest = 60.0 / (ESPEAK_SLOWEST * ESPEAK_QUICKER)  # seconds a word, at its slowest
        # Slower than that: more space between the words (in its units: 10 ms at its usual
        # 175 words a minute, longer in proportion when it is slower).
        more = max(0.0, 60.0 / rate - slowest) * 100 * asked / 175
        gap = (CLEAR_GAP if clear else 0) + round(more)
        try:
            return by_sentence(text, lambda sentence: espeak.speak(
                sentence, voice=self.voice, words_per_minute=asked, word_gap=gap))
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


def forget_oldest(folder: Path, keep: int) -> None:
    """Only the ``keep`` renderings used last are kept in ``folder``."""
    files = sorted(folder.glob("*.npy"), key=lambda f: f.stat().st_mtime)
    for old in files[:max(len(files) - keep, 0)]:
        old.unlink(missing_ok=True)


def configured_voice(config: Config, *, store: Path | None = None) -> Voice:
    """The voice ``config`` asks for, with the recorded steps and the renderings kept in the
    data folder ``store`` (by default the user's)."""
    store = store if store is not None else default_store()
    return Voice(rate=config.rate, volume=config.volume, voice=config.voice,
                 synthesiser="piper" if config.speech == "piper" else "auto",
                 cache=store / "voice", takes=store)


def by_sentence(text: str, speak: Callable[[str], np.ndarray]) -> np.ndarray:
    """Each sentence of ``text`` said by ``speak``, trimmed, with a breath between them."""
    gap = np.zeros(int(SENTENCE_GAP * OUT_RATE), np.float32)
    parts: list[np.ndarray] = []
    for sentence in SENTENCE_END.split(text):
        sound = trim(speak(sentence))
        if len(sound):
            parts += [gap, sound] if parts else [sound]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def words_a_minute(voice: Voice, texts: list[str]) -> float:
    """How fast ``voice`` says ``texts``: their words over the time it takes to say them,
    not counting the breath it takes between sentences."""
    words, seconds = 0, 0.0
    for text in texts:
        sentences = [s for s in SENTENCE_END.split(" ".join(text.split())) if s.strip()]
        breaths = len(sentences) - 1 if voice.engine != "pyttsx3" else 0
        words += len(text.split())
        seconds += len(voice.say(text)) / OUT_RATE - SENTENCE_GAP * breaths
    return 60.0 * words / seconds if seconds else 0.0
