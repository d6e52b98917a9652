"""The sound card: the microphone as a stream of chunks, the speaker fed by a Player.

sounddevice (PortAudio) is imported when a device is first used, so commands
that need no sound card start without it.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterator

import numpy as np

from . import IN_RATE, AudioError
from .player import Player

#: PortAudio's "low" latency: the sound server's shortest buffers it offers (measured through
#: PulseAudio: 20 ms in, 23 ms out with ``SPEAKER_BLOCK``; "high", the default, doubled both).
LATENCY = "low"
SPEAKER_BLOCK = 256  # samples per speaker callback (12 ms): a stop is heard within one
STALL = 1.0  # seconds without sound from a stream before it is given up
RETRY = 2.0  # seconds between tries to open a lost device again
#: A reopened speaker is back once it has asked for sound this long (a stalled one still
#: asks a few times at first, to fill its buffer).
BACK = 0.5


class Microphone:
    """int16 chunks from the microphone, opened (or refused) when made; iterate over it.

    The callback only copies into a queue; the caller's loop does the work. It counts what
    a listener needs to know: input overflows (sound the card had to drop) and the longest
    the loop fell behind (``behind``, seconds of sound waiting when a chunk was taken).

    A microphone that stops sending (unplugged, a stream error, the sound server restarted)
    is given up after ``STALL`` seconds without a chunk, never waiting on its stream (a
    stuck stream's stop can hang for ever); while it is away the loop gets silence, in
    real time, and a new stream is tried every ``RETRY`` seconds. ``tell`` hears once that
    it went and once that it came back.
    """

    def __init__(self, *, chunk: int, device: str | int | None,
                 tell: Callable[[str], None] = lambda message: None):
        self.chunk, self.device, self.tell = chunk, device, tell
        self.chunks: queue.Queue[np.ndarray] = queue.Queue()
        self.overflows = 0
        self.behind = 0.0
        self.waiting = 0.0  # seconds of sound queued behind the chunk last taken
        self.losses = 0
        try:
            self.stream: Any = self._open()
        except Exception as exc:  # PortAudioError, ValueError for a bad device name
            raise no_microphone(exc) from None

    def _open(self) -> Any:
        sd = sounddevice()
        chunks = self.chunks = queue.Queue()  # a new queue: an old stream's late chunks are lost

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.input_overflow:
                self.overflows += 1
            chunks.put(indata[:, 0].copy())

        stream = sd.InputStream(samplerate=IN_RATE, channels=1, dtype="int16",
                                blocksize=self.chunk, device=self.device, latency=LATENCY,
                                callback=callback)
        stream.start()
        return stream

    def __iter__(self) -> Iterator[np.ndarray]:
        try:
            while True:
                try:
                    chunk = self.chunks.get(timeout=STALL)
                except queue.Empty:
                    yield from self._recover()
                    continue
                self.waiting = self.chunks.qsize() * self.chunk / IN_RATE
                self.behind = max(self.behind, self.waiting)
                yield chunk
        finally:
            abandon(self.stream, wait=0.5)

    def _recover(self) -> Iterator[np.ndarray]:
        """Silence in real time until a new stream sends sound again."""
        self.losses += 1
        abandon(self.stream)
        self.tell("The microphone stopped; I will keep trying to hear it again.")
        silence = np.zeros(self.chunk, np.int16)
        while True:
            next_try = time.monotonic() + RETRY
            while time.monotonic() < next_try:
                time.sleep(self.chunk / IN_RATE)
                yield silence
            try:
                self.stream = self._open()
                self.chunks.get(timeout=STALL)  # it really sends sound
            except Exception:
                abandon(getattr(self, "stream", None))
                continue
            self.tell("The microphone is back; I am listening.")
            return


def abandon(stream: Any, *, wait: float = 0.0) -> None:
    """Stop and close a stream on a thread of its own, waiting at most ``wait`` seconds for
    it: a stuck one never holds anyone up."""
    if stream is not None:
        closing = threading.Thread(target=close_quietly, args=(stream,), daemon=True)
        closing.start()
        closing.join(wait)


def close_quietly(stream: Any) -> None:
    try:
        stream.abort()
        stream.close()
    except Exception:
        pass


def check_microphone(device: str | int | None) -> None:
    """Refuse at once, before any slow start-up work, if the microphone cannot be opened."""
    sd = sounddevice()
    try:
        sd.check_input_settings(device=device, channels=1, dtype="int16", samplerate=IN_RATE)
    except Exception as exc:
        raise no_microphone(exc) from None


def no_microphone(exc: BaseException) -> AudioError:
    return AudioError("No microphone can be heard. Check that one is plugged in (a USB "
                      "microphone or headset works) and, if there are several, that "
                      "listen.input_device names the right one ('grounding devices' lists "
                      "them).", first_line(exc))


_opened: list[bool] = []  # whether this process has opened a sound card's stream


def streams_opened() -> bool:
    return bool(_opened)


def sounddevice() -> Any:
    """PortAudio, through sounddevice; from the first call on, ``streams_opened``."""
    _opened[:] = [True]
    try:
        import sounddevice as sd
    except OSError:
        raise AudioError("The PortAudio library is missing, so there is no sound; install "
                         "libportaudio2 (the setup command does this).") from None
    return sd


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Speaker:
    """Plays a Player's sound through the sound card from a callback; counts underflows
    (moments the card had nothing to play because the callback came late).

    The loop calls ``keep`` for every span of time it hears. A speaker whose callback has
    not come for ``STALL`` seconds is given up (never waited on); while it is away,
    ``keep`` reads the player in its place, so routines go on in time (the caller shows
    their words), and a new stream is tried every ``RETRY`` seconds."""

    def __init__(self, player: Player, *, device: str | int | None,
                 block: int = SPEAKER_BLOCK, tell: Callable[[str], None] = lambda m: None):
        self.player, self.device, self.block, self.tell = player, device, block, tell
        self.underflows = 0
        self.away = False
        self.losses = 0
        try:
            self.stream: Any = self._open()
        except Exception as exc:
            raise AudioError("No speaker can be played to. Check that one is plugged in and, "
                             "if there are several, that voice.output_device names the right "
                             "one ('grounding devices' lists them).", first_line(exc)) from None

    def _open(self) -> Any:
        sd = sounddevice()
        self.last = self.opened = time.monotonic()

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            self.last = time.monotonic()
            if status.output_underflow:
                self.underflows += 1
            outdata[:, 0] = self.player.read(frames)

        stream = sd.OutputStream(samplerate=self.player.rate, channels=1, dtype="float32",
                                 blocksize=self.block, device=self.device, latency=LATENCY,
                                 callback=callback)
        stream.start()
        return stream

    def keep(self, seconds: float) -> None:
        """``seconds`` of time went by: notice a stalled speaker, stand in for a lost one."""
        now = time.monotonic()
        if not self.away:
            if now - self.last > STALL:
                self.away, self.losses = True, self.losses + 1
                abandon(self.stream)
                self.stream, self.next_try = None, now + RETRY
                self.tell("The speaker stopped; I will show what I would say, and keep "
                          "trying the speaker.")
            return
        if self.stream is not None and self.last > self.opened + BACK:  # it plays again
            self.away = False
            self.tell("The speaker is back.")
            return
        if self.stream is None or self.last <= self.opened:  # time goes on meanwhile
            self.player.read(int(round(seconds * self.player.rate)))
        if self.stream is not None and now - self.last > STALL:
            abandon(self.stream)  # opened, but it never asked for sound
            self.stream = None
        if self.stream is None and now >= self.next_try:
            self.next_try = now + RETRY
            try:
                self.stream = self._open()
            except Exception:
                self.stream = None

    def close(self) -> None:
        abandon(self.stream, wait=0.5)


def list_devices() -> str:
    sd = sounddevice()
    try:
        return str(sd.query_devices())
    except Exception as exc:
        raise AudioError("The sound cards cannot be listed.", first_line(exc)) from None

