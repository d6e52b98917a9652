"""Where audio enters and leaves: WAV files, the microphone, the speaker.

Sources hand out int16 16 kHz mono chunks. The ``Player`` holds the sound the
assistant is saying; a speaker callback or the WAV writer pulls from it, so
stopping takes effect at the next block.
"""
from __future__ import annotations

import queue
import struct
import threading
import time
import wave
from pathlib import Path
from typing import Iterator

import numpy as np

IN_RATE = 16000
OUT_RATE = 22050  # espeak-ng's native rate
FADE_OUT = 0.01  # seconds: a stop fades this quickly, so it does not click


class AudioError(Exception):
    """An audio device or file cannot be used; the message is one sentence."""


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to or len(samples) == 0:
        return samples
    n = int(round(len(samples) * to / rate))
    return np.interp(np.arange(n) * rate / to, np.arange(len(samples)), samples).astype(np.float32)


def read_wav(path: str | Path, rate: int = IN_RATE) -> np.ndarray:
    """Float32 mono samples in [-1, 1] at ``rate``, from 8/16/24/32-bit PCM or float WAV."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: the audio file does not exist.") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        fmt, raw = riff_chunks(data)
        tag, channels, src = struct.unpack_from("<HHI", fmt)
        bits = struct.unpack_from("<H", fmt, 14)[0]
        if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag follows
            tag = struct.unpack_from("<H", fmt, 24)[0]
    except (ValueError, struct.error) as exc:
        raise AudioError(f"{path}: is not a readable WAV file ({exc}).") from None
    x = decode(raw, tag, bits)
    if x is None or channels == 0:
        raise AudioError(f"{path}: uses an audio encoding this program cannot read "
                         f"(format {tag}, {bits}-bit); use 16-bit PCM.")
    x = x[:len(x) - len(x) % channels].reshape(-1, channels).mean(axis=1)
    return resample(x.astype(np.float32), src, rate)


def riff_chunks(data: bytes) -> tuple[bytes, bytes]:
    """The ``fmt `` and ``data`` chunks of a RIFF/WAVE file."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("no RIFF/WAVE header")
    chunks, pos = {}, 12
    while pos + 8 <= len(data):
        name, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        chunks.setdefault(name, data[pos + 8:pos + 8 + size])
        pos += 8 + size + (size & 1)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise ValueError("no fmt or data chunk")
    return chunks[b"fmt "], chunks[b"data"]


def decode(raw: bytes, tag: int, bits: int) -> np.ndarray | None:
    if tag == 3 and bits == 32:
        return np.frombuffer(raw[:len(raw) // 4 * 4], dtype="<f4")
    if tag != 1:
        return None
    if bits == 8:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if bits == 16:
        return np.frombuffer(raw[:len(raw) // 2 * 2], dtype="<i2") / 32768.0
    if bits == 24:
        b = np.frombuffer(raw[:len(raw) // 3 * 3], dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        return np.where(v >= 1 << 23, v - (1 << 24), v) / float(1 << 23)
    if bits == 32:
        return np.frombuffer(raw[:len(raw) // 4 * 4], dtype="<i4") / 2147483648.0
    return None


def to_int16(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, -1.0, 1.0) * 32767.0).astype(np.int16)


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())


def wav_chunks(path: str | Path, *, chunk: int, realtime: bool) -> Iterator[np.ndarray]:
    """int16 chunks of a WAV file, paced like a microphone unless ``realtime`` is off.

    The file is read (and any problem with it raised) before the first chunk is asked for.
    """
    samples = to_int16(read_wav(path))
    return paced(samples, chunk=chunk, realtime=realtime)


def paced(samples: np.ndarray, *, chunk: int, realtime: bool) -> Iterator[np.ndarray]:
    started = time.monotonic()
    for i in range(0, len(samples), chunk):
        if realtime:
            delay = started + i / IN_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        yield samples[i:i + chunk]


def mic_chunks(*, chunk: int, device: str | int | None) -> Iterator[np.ndarray]:
    """int16 chunks from the microphone, which is opened (or refused) right away.

    The callback only copies into a queue; the caller's loop does the work.
    """
    sd = sounddevice()
    chunks: queue.Queue[np.ndarray] = queue.Queue()

    def callback(indata, frames, time_info, status):  # noqa: ARG001 - sounddevice's signature
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


def listen(stream, chunks: queue.Queue) -> Iterator[np.ndarray]:
    with stream:
        while True:
            try:
                yield chunks.get(timeout=2.0)
            except queue.Empty:
                raise AudioError("The microphone stopped sending sound.") from None


def sounddevice():
    try:
        import sounddevice as sd
    except OSError:
        raise AudioError("The PortAudio library is missing, so there is no sound; install "
                         "libportaudio2 (the setup command does this).") from None
    return sd


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Player:
    """The one sound the assistant is playing, read block by block.

    ``read`` is called from the speaker callback (or the WAV writer); the other
    methods from the main loop. A short lock guards the swap of sound and cursor.
    """

    def __init__(self, rate: int = OUT_RATE):
        self.rate = rate
        self._lock = threading.Lock()
        self._sound = np.zeros(0, dtype=np.float32)
        self._pos = 0
        self._played: list[np.ndarray] = []  # what went out since ``take_played``

    def take_played(self) -> np.ndarray:
        """Everything read out (played) since the last call, silence included."""
        with self._lock:
            played, self._played = self._played, []
        return np.concatenate(played) if played else np.zeros(0, np.float32)

    def play(self, sound: np.ndarray, *, start: int = 0) -> None:
        """Play ``sound`` from sample ``start``; what was playing fades out under it."""
        with self._lock:
            tail = self._fade_tail()
            sound = sound.astype(np.float32)  # a copy: the tail is mixed into it
            n = min(len(tail), len(sound) - start)
            sound[start:start + n] += tail[:n]
            self._sound, self._pos = sound, start

    def replace(self, sound: np.ndarray) -> None:
        """Swap in a new sound that shares this one's past; the cursor stays put."""
        with self._lock:
            self._sound = sound.astype(np.float32)

    def stop(self) -> int:
        """Silence within a few milliseconds (a short fade, no click); returns the position."""
        with self._lock:
            pos = self._pos
            self._sound, self._pos = self._fade_tail(), 0
            return pos

    def _fade_tail(self) -> np.ndarray:
        """The next few milliseconds of what is playing, faded to nothing."""
        tail = self._sound[self._pos:self._pos + int(FADE_OUT * self.rate)]
        return tail * np.linspace(1.0, 0.0, len(tail), dtype=np.float32)

    @property
    def position(self) -> int:
        return self._pos

    @property
    def playing(self) -> bool:
        return self._pos < len(self._sound)

    def read(self, frames: int) -> np.ndarray:
        out = np.zeros(frames, dtype=np.float32)
        with self._lock:
            part = self._sound[self._pos:self._pos + frames]
            out[:len(part)] = part
            self._pos += len(part)
            self._played.append(out)
            if len(self._played) > 200:  # nobody is taking them: keep the newest only
                del self._played[:100]
        return out


class WavRecorder:
    """Pulls from a Player in step with the input clock and keeps the samples."""

    def __init__(self, player: Player):
        self.player = player
        self.blocks: list[np.ndarray] = []
        self.frames = 0

    def advance_to(self, seconds: float) -> None:
        """Render output up to ``seconds`` of audio time."""
        target = int(round(seconds * self.player.rate))
        if target > self.frames:
            self.blocks.append(self.player.read(target - self.frames))
            self.frames = target

    def save(self, path: str | Path) -> None:
        sound = np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)
        write_wav(path, sound, self.player.rate)


class Speaker:
    """Plays a Player's sound through the sound card from a callback."""

    def __init__(self, player: Player, *, device: str | int | None, block: int = 512):
        sd = sounddevice()

        def callback(outdata, frames, time_info, status):  # noqa: ARG001
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
