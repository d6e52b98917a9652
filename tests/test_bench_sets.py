"""The false-trigger sets the room benchmark builds from long recordings (``bench_triggers``)."""
from __future__ import annotations

import importlib.util

import numpy as np

from assistant.sound import IN_RATE
from assistant.sound.files import write_wav

from .conftest import ROOT, flite, silence

spec = importlib.util.spec_from_file_location("bench_triggers",
                                              ROOT / "scripts" / "bench_triggers.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_long_speech_is_cut_into_its_short_utterances():
    short = [flite("not now", "slt"), flite("what was that", "awb")]
    long = flite("the river ran slowly past the old mill and on towards the sea that "
                 "evening while the light faded over the hills", "rms")
    assert len(long) > 3 * IN_RATE
    audio = np.concatenate([silence(0.5), short[0], silence(0.6), long, silence(0.6),
                            short[1], silence(0.5)])
    found = bench.utterances(audio)
    assert len(found) == 2, [len(u) / IN_RATE for u in found]
    for u, said in zip(found, short):
        assert abs(len(u) - len(said)) < 0.5 * IN_RATE  # the words, not the quiet around


def test_short_and_babble_sets_hold_every_reader(tmp_path):
    readers = []
    for i, voice in enumerate(["slt", "awb", "rms"]):
        said = np.concatenate([np.concatenate([flite(w, voice), silence(0.7)])
                               for w in ("good morning", "see you soon", "thank you")])
        write_wav(tmp_path / f"{i}.wav", said, IN_RATE)
        readers.append(tmp_path / f"{i}.wav")
    short = bench.heard_as(readers, "short")
    assert [name for name, _ in short] == [f"{i}.wav (short)" for i in range(3)]
    babble = bench.heard_as(readers, "babble")
    assert len(babble) == 3
    for _, mixed in babble:
        assert 0.05 < np.sqrt(np.mean(mixed ** 2)) < 0.2  # at one level, whoever is loudest


def test_a_recording_with_no_short_utterance_is_left_out_of_the_short_set(tmp_path):
    paused = np.concatenate([flite("good morning", "slt"), silence(0.7)])
    write_wav(tmp_path / "paused.wav", paused, IN_RATE)
    write_wav(tmp_path / "silent.wav", silence(3.0), IN_RATE)
    on_and_on = flite("we walked along the river and talked about the garden and the "
                      "neighbours and what to cook for dinner on sunday", "awb")
    write_wav(tmp_path / "unbroken.wav", on_and_on, IN_RATE)
    short = bench.heard_as([tmp_path / n for n in ("silent.wav", "unbroken.wav",
                                                   "paused.wav")], "short")
    assert [name for name, _ in short] == ["paused.wav (short)"]
