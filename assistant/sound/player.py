"""The Player: the one sound the assistant is saying, read out block by block.

A speaker callback or the WAV recorder pulls from it, so stopping takes effect
at the next block.
"""
from __future__ import annotations

import os
import threading
import wave
from pathlib import Path

import numpy as np

from . import OUT_RATE
from .files import to_int16, write_wav

FADE_OUT = 0.01  # seconds: a stop fades this quickly, so it does not click


class Player:
    """The one sound the assistant is playing, read block by block.

    ``read`` is called from the speaker callback (or the WAV writer); the other
    methods from the main loop. A short lock guards the swap of sound and cursor.
    """

    def __init__(self, rate: int = OUT_RATE, *, gain: float = 1.0):
        self.rate = rate
        self.gain = gain  # everything it plays, louder or quieter (discreet mode: quieter)
        self._lock = threading.Lock()
        self._sound = np.zeros(0, dtype=np.float32)
        self._pos = 0
        self._before = np.zeros(0, dtype=np.float32)  # played first, then the sound
        self._bpos = 0
        self._played: list[np.ndarray] = []  # what went out since ``take_played``...
        self._played_from = 0  # ...from this sample of all that was ever read out

    def take_played(self) -> tuple[int, np.ndarray]:
        """Everything read out (played) since the last call, silence included, and the number
        of samples read out before it (if nobody took them for a while, the oldest are gone)."""
        with self._lock:
            played, self._played = self._played, []
            start = self._played_from
            self._played_from += sum(len(p) for p in played)
        return start, np.concatenate(played) if played else np.zeros(0, np.float32)

    def play(self, sound: np.ndarray, *, start: int = 0, before: np.ndarray | None = None
             ) -> None:
        """Play ``sound`` from sample ``start`` (after ``before``, a chime or a short answer,
        if given); what was playing fades out under it. The copies are made before the lock
        the speaker callback needs: inside it, only the few milliseconds of fade are mixed in
        and references swapped."""
        sound = sound.astype(np.float32)  # a copy: the tail is mixed into it
        first = np.zeros(0, np.float32) if before is None else before.astype(np.float32)
        with self._lock:
            tail = self._fade_tail()
            target, at = (first, 0) if len(first) else (sound, start)
            n = min(len(tail), len(target) - at)
            target[at:at + n] += tail[:n]
            self._sound, self._pos = sound, start
            self._before, self._bpos = first, 0

    def replace(self, sound: np.ndarray) -> None:
        """Swap in a new sound that shares this one's past; the cursor stays put."""
        sound = sound.astype(np.float32)
        with self._lock:
            self._sound = sound

    def stop(self) -> int:
        """Silence within a few milliseconds (a short fade, no click); returns the position
        in the sound (where it would have gone on after anything played before it)."""
        with self._lock:
            pos = self._pos
            self._sound, self._pos = self._fade_tail(), 0
            self._before, self._bpos = np.zeros(0, np.float32), 0
            return pos

    def _fade_tail(self) -> np.ndarray:
        """The next few milliseconds of what is playing, faded to nothing."""
        n = int(FADE_OUT * self.rate)
        if self._bpos < len(self._before):
            tail = self._before[self._bpos:self._bpos + n]
        else:
            tail = self._sound[self._pos:self._pos + n]
        return tail * np.linspace(1.0, 0.0, len(tail), dtype=np.float32)

    @property
    def position(self) -> int:
        """Where in the sound it is (while what comes before it plays: where it will start)."""
        return self._pos

    @property
    def answering(self) -> bool:
        """Whether what plays before the sound (a chime, an answer) is still playing."""
        return self._bpos < len(self._before)

    @property
    def playing(self) -> bool:
        return self.answering or self._pos < len(self._sound)

    def read(self, frames: int) -> np.ndarray:
        out = np.zeros(frames, dtype=np.float32)
        with self._lock:
            first = self._before[self._bpos:self._bpos + frames]
            out[:len(first)] = first
            self._bpos += len(first)
            part = self._sound[self._pos:self._pos + frames - len(first)]
            out[len(first):len(first) + len(part)] = part
            self._pos += len(part)
            if self.gain != 1.0:
                out *= np.float32(self.gain)
            self._played.append(out)
            if len(self._played) > 200:  # nobody is taking them: keep the newest only
                self._played_from += sum(len(p) for p in self._played[:100])
                del self._played[:100]
        return out


class WavRecorder:
    """Pulls from a Player in step with the input clock. With a ``path``, the samples go
    straight to that file (16-bit; written beside it and renamed into place by ``save``, so
    a long run needs no memory for them and a file is never left half-written); without
    one, they are kept in ``blocks``."""

    def __init__(self, player: Player, path: str | Path | None = None):
        self.player = player
        self.blocks: list[np.ndarray] = []
        self.frames = 0
        self.path = Path(path) if path is not None else None
        self.file: wave.Wave_write | None = None
        if self.path is not None:
            self.part = self.path.with_name(f".{self.path.name}.part")
            self.file = wave.open(str(self.part), "wb")
            self.file.setnchannels(1)
            self.file.setsampwidth(2)
            self.file.setframerate(player.rate)

    def advance_to(self, seconds: float) -> None:
        """Render output up to ``seconds`` of audio time."""
        target = int(round(seconds * self.player.rate))
        if target > self.frames:
            block = self.player.read(target - self.frames)
            if self.file is not None:
                self.file.writeframes(to_int16(block).tobytes())
            else:
                self.blocks.append(block)
            self.frames = target

    def save(self, path: str | Path | None = None) -> None:
        """Finish the file (or write the kept samples to ``path``)."""
        if self.file is not None and self.path is not None:
            self.file.close()
            os.replace(self.part, self.path)
            return
        sound = np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)
        write_wav(path or "", sound, self.player.rate)
