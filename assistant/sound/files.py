"""Audio files: WAV in (any common PCM or float format, resampled) and out (16-bit).

Sources hand out int16 16 kHz mono chunks, paced like a microphone or as fast
as possible.
"""
from __future__ import annotations

import io
import struct
import time
import wave
from pathlib import Path
from typing import Iterator

import numpy as np
import soxr

from . import IN_RATE, AudioError


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """A whole recording at another rate (libsoxr, filtered, no delay)."""
    if rate == to or len(samples) == 0:
        return samples
    return soxr.resample(samples.astype(np.float32), rate, to, quality="HQ")


class Resampler:
    """A stream of blocks at one rate as a stream at another, block by block.

    The filter's state is kept between blocks, so nothing is rounded per block (rounding
    each of 43 blocks a second gained 21 samples a second on the real clock) and nothing
    above the new rate's band folds back into it. The output is the input's, sample for
    sample, but handed over in bursts.

    libsoxr's low quality (still a filter: 16-bit, no aliasing to speak of) holds back
    the least: its output comes at most 22 ms after its input at these rates (high quality:
    40 ms), so a reference made with it still leads the echo it predicts."""

    def __init__(self, rate: int, to: int, *, quality: str = "LQ"):
        self.stream = soxr.ResampleStream(rate, to, 1, dtype="float32", quality=quality)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        return self.stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32))


def read_wav(path: str | Path, rate: int = IN_RATE) -> np.ndarray:
    """Float32 mono samples in [-1, 1] at ``rate``, from 8/16/24/32-bit PCM or float WAV."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: the audio file does not exist.") from None
    except OSError as exc:
        raise AudioError(f"{path}: cannot be read ({exc.strerror}).") from None
    return wav_samples(data, rate, name=str(path))


def wav_samples(data: bytes, rate: int, *, name: str) -> np.ndarray:
    """The samples of a whole WAV file held in ``data`` (``name`` says where it came from)."""
    try:
        fmt, raw = riff_chunks(data)
        tag, channels, src = struct.unpack_from("<HHI", fmt)
        bits = struct.unpack_from("<H", fmt, 14)[0]
        if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real tag follows
            tag = struct.unpack_from("<H", fmt, 24)[0]
    except (ValueError, struct.error) as exc:
        raise AudioError(f"{name}: is not a readable WAV file ({exc}).") from None
    x = decode(raw, tag, bits)
    if x is None or channels == 0 or src == 0:
        raise AudioError(f"{name}: uses an audio encoding this program cannot read "
                         f"(format {tag}, {bits}-bit, {channels} channels at {src} Hz); "
                         "use 16-bit PCM.")
    x = x[:len(x) - len(x) % channels].reshape(-1, channels).mean(axis=1)
    return resample(x.astype(np.float32), src, rate)


def riff_chunks(data: bytes) -> tuple[bytes, bytes]:
    """The ``fmt `` and ``data`` chunks of a RIFF/WAVE file."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("no RIFF/WAVE header")
    chunks: dict[bytes, bytes] = {}
    pos = 12
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
    """``samples`` (float, full scale 1.0) as a 16-bit mono WAV file."""
    Path(path).write_bytes(wav_bytes(samples, rate))


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """A whole 16-bit mono WAV file of ``samples`` (float, full scale 1.0)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())
    return buffer.getvalue()


def wav_chunks(path: str | Path, *, chunk: int, realtime: bool) -> Iterator[np.ndarray]:
    """int16 chunks of a WAV file, paced like a microphone unless ``realtime`` is off.

    The file is opened (and any problem with its header raised) before the first chunk is
    asked for. A file already as heard (16 kHz mono 16-bit) is read a chunk at a time, so
    hours of it need no memory; any other is read whole and converted.
    """
    try:
        stream = wave.open(str(path), "rb")
        if (stream.getframerate(), stream.getnchannels(), stream.getsampwidth()) == \
                (IN_RATE, 1, 2) and stream.getnframes() > 0:
            return paced(streamed(stream, chunk), chunk=chunk, realtime=realtime)
        stream.close()
    except (OSError, EOFError, wave.Error):
        pass  # not a plain WAV file: read whole, where a problem is named in one sentence
    samples = to_int16(read_wav(path))
    return paced((samples[i:i + chunk] for i in range(0, len(samples), chunk)), chunk=chunk,
                 realtime=realtime)


def streamed(stream: wave.Wave_read, chunk: int) -> Iterator[np.ndarray]:
    with stream:
        while data := stream.readframes(chunk):
            yield np.frombuffer(data[:len(data) // 2 * 2], dtype="<i2").astype(np.int16)


def paced(chunks: Iterator[np.ndarray], *, chunk: int, realtime: bool
          ) -> Iterator[np.ndarray]:
    started = time.monotonic()
    for i, samples in enumerate(chunks):
        if realtime:
            delay = started + i * chunk / IN_RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        yield samples


