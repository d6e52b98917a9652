"""Audio files in: any common format becomes 16 kHz mono; a bad file is one sentence."""
from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile

from assistant.sound import IN_RATE, AudioError
from assistant.sound.files import read_wav, wav_chunks
from assistant.sound.files import to_int16 as int16

from .conftest import ROOT, cli, save
from .support.analysis import tone_pitch

FORMATS = [("wav", "PCM_16", 44100, 2), ("wav", "PCM_24", 48000, 1), ("wav", "PCM_U8", 22050, 1),
           ("wav", "PCM_32", 16000, 2), ("wav", "FLOAT", 8000, 1), ("flac", "PCM_16", 48000, 2),
           ("ogg", "VORBIS", 44100, 1)]


@pytest.mark.parametrize("kind, subtype, rate, channels", FORMATS)
def test_any_common_file_is_heard_at_16khz_mono(tmp_path, kind, subtype, rate, channels):
    t = np.arange(int(1.5 * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440.0 * t)
    path = tmp_path / f"tone.{kind}"
    soundfile.write(path, np.repeat(tone[:, None], channels, axis=1), rate, subtype=subtype)
    x = read_wav(path)
    assert abs(len(x) / IN_RATE - 1.5) < 0.01
    assert abs(tone_pitch(x, 0.2, 1.3, rate=IN_RATE) - 440.0) < 3.0
    assert 0.45 < np.abs(x[IN_RATE // 4:IN_RATE]).max() < 0.55


def wav_header(rate: int, channels: int = 1, bits: int = 16, frames: int = 100) -> bytes:
    data = b"\x00" * (frames * channels * bits // 8)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8,
                      channels * bits // 8, bits)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16)
            + fmt + b"data" + struct.pack("<I", len(data)) + data)


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00", b"just some text, not sound\n",
                                     wav_header(0), wav_header(16000, channels=0)])
def test_a_bad_file_is_one_sentence(tmp_path, content):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError) as info:
        read_wav(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message and len(message) < 300


def test_a_missing_file_is_one_sentence(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        read_wav(tmp_path / "nowhere.wav")


def test_a_plain_16khz_file_is_read_a_chunk_at_a_time(tmp_path):
    """The file's own samples, read as it goes; within one step of the whole file read."""
    sound = np.random.default_rng(0).uniform(-0.5, 0.5, IN_RATE * 3).astype(np.float32)
    path = save(tmp_path / "plain.wav", sound)
    chunks = list(wav_chunks(path, chunk=320, realtime=False))
    assert np.array_equal(np.concatenate(chunks), soundfile.read(path, dtype="int16")[0])
    whole = int16(read_wav(path)).astype(int)
    assert np.abs(np.concatenate(chunks) - whole).max() <= 1
    assert all(len(c) == 320 for c in chunks[:-1])


def test_a_bad_input_file_is_exit_2_for_run_and_detect(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00")
    for args in (["run", "--input", bad, "--output", tmp_path / "o.wav", "--fast"],
                 ["detect", bad]):
        result = cli(*args, "--config", ROOT / "config.yaml")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert str(bad) in result.stderr + result.stdout
