"""The sound card: the microphone as a stream of chunks, the speaker fed by a Player.

sounddevice (PortAudio) is imported when a device is first used, so commands
that need no sound card start without it.
"""
from __future__ import annotations

import queue
from typing import Any, Iterator

import numpy as np

from . import IN_RATE, AudioError
from .player import Player

#: PortAudio's "low" latency: the sound server's shortest buffers it offers (measured through
#: PulseAudio: 20 ms in, 23 ms out with ``SPEAKER_BLOCK``; "high", the default, doubled both).
LATENCY = "low"
SPEAKER_BLOCK = 256  # samples per speaker callback (12 ms): a stop is heard within one


class Microphone:
    """int16 chunks from the microphone, opened (or refused) when made; iterate over it.

    The callback only copies into a queue; the caller's loop does the work. It counts what
    a listener needs to know: input overflows (sound the card had to drop) and the longest
    the loop fell behind (``behind``, seconds of sound waiting when a chunk was taken).
    """

    def __init__(self, *, chunk: int, device: str | int | None):
        sd = sounddevice()
        self.chunk = chunk
        self.chunks: queue.Queue[np.ndarray] = queue.Queue()
        self.overflows = 0
        self.behind = 0.0

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.input_overflow:
                self.overflows += 1
            self.chunks.put(indata[:, 0].copy())

        try:
            self.stream = sd.InputStream(samplerate=IN_RATE, channels=1, dtype="int16",
                                         blocksize=chunk, device=device, latency=LATENCY,
                                         callback=callback)
            self.stream.start()
        except Exception as exc:  # PortAudioError, ValueError for a bad device name
            raise no_microphone(exc) from None

    def __iter__(self) -> Iterator[np.ndarray]:
        with self.stream:
            while True:
                try:
                    chunk = self.chunks.get(timeout=2.0)
                except queue.Empty:
                    raise AudioError("The microphone stopped sending sound.") from None
                self.behind = max(self.behind, self.chunks.qsize() * self.chunk / IN_RATE)
                yield chunk


def check_microphone(device: str | int | None) -> None:
    """Refuse at once, before any slow start-up work, if the microphone cannot be opened."""
    sd = sounddevice()
    try:
        sd.check_input_settings(device=device, channels=1, dtype="int16", samplerate=IN_RATE)
    except Exception as exc:
        raise no_microphone(exc) from None


def no_microphone(exc: BaseException) -> AudioError:
    return AudioError(f"No microphone could be opened ({first_line(exc)}); check "
                      "listen.input_device and that a microphone is connected.")


def sounddevice() -> Any:
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
    (moments the card had nothing to play because the callback came late)."""

    def __init__(self, player: Player, *, device: str | int | None,
                 block: int = SPEAKER_BLOCK):
        sd = sounddevice()
        self.underflows = 0

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.output_underflow:
                self.underflows += 1
            outdata[:, 0] = player.read(frames)

        try:
            self.stream = sd.OutputStream(samplerate=player.rate, channels=1, dtype="float32",
                                          blocksize=block, device=device, latency=LATENCY,
                                          callback=callback)
        except Exception as exc:
            raise AudioError(f"No speaker could be opened ({first_line(exc)}); check "
                             "voice.output_device and that a sound card is present.") from None
        self.stream.start()

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()


def list_devices() -> str:
    sd = sounddevice()
    try:
        return str(sd.query_devices())
    except Exception as exc:
        raise AudioError(f"Audio devices cannot be listed ({first_line(exc)}).") from None

