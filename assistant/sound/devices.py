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


def mic_chunks(*, chunk: int, device: str | int | None) -> Iterator[np.ndarray]:
    """int16 chunks from the microphone, which is opened (or refused) right away.

    The callback only copies into a queue; the caller's loop does the work.
    """
    sd = sounddevice()
    chunks: queue.Queue[np.ndarray] = queue.Queue()

    def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        chunks.put(indata[:, 0].copy())

    try:
        stream = sd.InputStream(samplerate=IN_RATE, channels=1, dtype="int16", blocksize=chunk,
                                device=device, callback=callback)
        stream.start()
    except Exception as exc:  # PortAudioError, ValueError for a bad device name
        raise no_microphone(exc) from None
    return listen(stream, chunks)


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


def listen(stream: Any, chunks: queue.Queue[np.ndarray]) -> Iterator[np.ndarray]:
    with stream:
        while True:
            try:
                yield chunks.get(timeout=2.0)
            except queue.Empty:
                raise AudioError("The microphone stopped sending sound.") from None


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
    """Plays a Player's sound through the sound card from a callback."""

    def __init__(self, player: Player, *, device: str | int | None, block: int = 512):
        sd = sounddevice()

        def callback(outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            outdata[:, 0] = player.read(frames)

        try:
            self.stream = sd.OutputStream(samplerate=player.rate, channels=1, dtype="float32",
                                          blocksize=block, device=device, callback=callback)
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

