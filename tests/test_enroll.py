"""Enrolment: the user's own takes of a phrase, kept on the device and learned from."""
from __future__ import annotations

import numpy as np
import pytest

from assistant.learning import enroll
from assistant.sound import IN_RATE
from assistant.sound.files import to_int16

from .conftest import cli, flite, noise, save, silence


def chunks_of(audio: np.ndarray, size: int = 320):
    samples = to_int16(audio)
    return iter([samples[i:i + size] for i in range(0, len(samples) - size + 1, size)])


def test_a_take_is_trimmed_to_the_phrase(tmp_path):
    said = flite("stop everything", "awb") * 0.3
    take = enroll.trim(noise(np.concatenate([silence(1.0), said, silence(1.5)]), 30))
    spoken = np.flatnonzero(np.abs(said) > 0.1 * np.abs(said).max())
    length = (spoken[-1] - spoken[0]) / IN_RATE + 2 * enroll.PAD
    assert abs(len(take) / IN_RATE - length) < 0.1


@pytest.mark.parametrize("audio, problem", [
    (silence(2.0), "too quiet"),
    (np.full(IN_RATE, 0.002, np.float32), "too quiet"),
    (np.sign(np.sin(np.arange(IN_RATE) / 9)).astype(np.float32), "clipped"),
    (0.3 * np.sin(np.arange(IN_RATE * 6) / 9).astype(np.float32), "longer than"),
])
def test_poor_takes_are_refused_with_advice(audio, problem):
    with pytest.raises(enroll.TakeError, match=problem):
        enroll.trim(audio)


def test_recording_waits_for_speech_and_ends_after_it(tmp_path):
    said = flite("i need help", "slt") * 0.3
    room = noise(np.concatenate([silence(1.2), said, silence(3.0)]), 25, seed=1)
    take = enroll.record(chunks_of(room))
    seconds = len(take) / IN_RATE
    spoken = np.flatnonzero(np.abs(said) > 0.1 * np.abs(said).max())
    speech = (spoken[-1] - spoken[0]) / IN_RATE
    assert speech < seconds < speech + 1.2  # the phrase, a lead-in and 0.7 s of quiet
    assert len(enroll.trim(take)) / IN_RATE == pytest.approx(speech + 2 * enroll.PAD, abs=0.1)
    assert len(enroll.record(chunks_of(noise(silence(9.0), 0)), wait=2.0)) == 0


def test_takes_are_saved_loaded_and_forgotten(tmp_path):
    takes = [np.sin(np.arange(8000) / (5 + i)).astype(np.float32) * 0.5 for i in range(3)]
    where = enroll.save(tmp_path, "stop everything", takes)
    assert sorted(p.name for p in where.iterdir()) == ["take-1.wav", "take-2.wav", "take-3.wav"]
    loaded = enroll.load(tmp_path, ("stop everything", "i need help"))
    assert list(loaded) == ["stop everything"]
    assert enroll.digest(loaded) == enroll.digest(enroll.load(tmp_path, ("stop everything",)))
    assert enroll.digest(loaded) != enroll.digest({"stop everything": loaded["stop everything"]
                                                   [:2]})
    (tmp_path / "phrases-0123456789abcdef.npz").touch()  # a plain model: kept
    (tmp_path / "phrases-0123456789abcdef-fedcba9876543210.npz").touch()  # learned from takes
    assert enroll.forget(tmp_path, ("i need help",)) == []
    assert [p.name for p in tmp_path.glob("*.npz")] == ["phrases-0123456789abcdef.npz"]
    assert enroll.forget(tmp_path) == ["stop everything"]
    assert enroll.load(tmp_path, ("stop everything",)) == {}


def test_enroll_refuses_what_it_cannot_use(tmp_path, write_config, example):
    example["listen"]["engine"] = "embedding"
    config = write_config(example)
    quiet = save(tmp_path / "quiet.wav", silence(1.0))
    result = cli("enroll", "no such phrase", "--from", quiet, "--config", config)
    assert result.returncode == 2
    assert "'no such phrase' is not one of the phrases" in result.stderr
    result = cli("enroll", "stop everything", "--from", quiet, "--config", config)
    assert result.returncode == 2
    assert result.stderr.strip() == f"{quiet}: too quiet to hear: speak a little closer to " \
        "the microphone."
    example["listen"]["engine"] = "pocketsphinx"
    result = cli("enroll", "--config", write_config(example))
    assert result.returncode == 2
    assert "listen.engine: this engine learns nothing from your voice" in result.stderr
    assert "Traceback" not in result.stderr
    example["listen"].update(engine="auto", fast_stop=False)
    result = cli("enroll", "--config", write_config(example))
    assert result.returncode == 2
    assert "listen.fast_stop: it is off, so nothing is learned from your voice" in \
        result.stderr
    example["listen"]["fast_stop"] = True  # the ear learns every phrase, from takes too
    result = cli("enroll", "read my safety plan", "--from", quiet, "--config",
                 write_config(example))
    assert result.returncode == 2 and "too quiet to hear" in result.stderr
