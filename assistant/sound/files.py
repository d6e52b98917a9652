"""Audio files: in through libsndfile (WAV of any common encoding, FLAC, Ogg; mixed to mono
and resampled with libsoxr) and out as 16-bit WAV.

Sources hand out int16 16 kHz mono chunks, paced like a microphone or as fast
as possible.
"""
from __future__ import annotations

import io
import time
import wave
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile
import soxr

from . import IN_RATE, AudioFileError


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

    def __init__(self, rate: float, to: float, *, quality: str = "LQ"):
        self.stream = soxr.ResampleStream(rate, to, 1, dtype="float32", quality=quality)

    def __call__(self, block: np.ndarray) -> np.ndarray:
        return self.stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32))


def read_wav(path: str | Path, rate: int = IN_RATE) -> np.ndarray:
    """Float32 mono samples in [-1, 1] at ``rate``, from a WAV (8/16/24/32-bit PCM or
    float), FLAC or Ogg file."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise AudioFileError(f"{path}: the audio file does not exist.") from None
    except OSError as exc:
        raise AudioFileError(f"{path}: cannot be read ({exc.strerror}).") from None
    return wav_samples(data, rate, name=str(path))


def wav_samples(data: bytes, rate: int, *, name: str) -> np.ndarray:
    """The samples of a whole audio file held in ``data`` (``name`` says where it came
    from), read by libsndfile: WAV of any common encoding, FLAC, Ogg; mixed to mono and
    resampled to ``rate``."""
    try:
        x, src = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.SoundFileError, RuntimeError, ValueError, TypeError) as exc:
        reason = str(exc).split(":")[-1].strip().rstrip(".") or "unknown format"
        raise AudioFileError(f"{name}: is not an audio file this program can read ({reason}); "
                         "use WAV, FLAC or Ogg.") from None
    if src <= 0 or x.shape[1] == 0:
        raise AudioFileError(f"{name}: says it has {x.shape[1]} channels at {src} Hz, which "
                         "cannot be played; use WAV, FLAC or Ogg.")
    return resample(x.mean(axis=1), src, rate)


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


