"""The natural voice: Piper in a worker of its own, its pace, its cache, and what happens
when the worker dies. Every rendering here is real (Piper and espeak-ng)."""
from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import replace

import numpy as np
import pytest

from assistant import settings as config_module
from assistant.sound import OUT_RATE
from assistant.speaking import piper as piper_module
from assistant.speaking.routines import render
from assistant.speaking.voice import SENTENCE_GAP, Voice, configured_voice, words_a_minute

from .conftest import ROOT

NOW = dt.datetime(2026, 11, 28, 10, 0)


@pytest.fixture(scope="module")
def config():
    return config_module.load(ROOT / "config.yaml")[0]


@pytest.fixture(scope="module")
def piper(config, tmp_path_factory):
    voice = configured_voice(piper_config(config), store=tmp_path_factory.mktemp("data"))
    assert voice.engine == "piper", voice.fallback
    yield voice
    voice.close()


def piper_config(config):
    """The shipped configuration with the natural voice at a calm pace."""
    return replace(config, speech="piper", rate=130)


def test_a_routine_is_rendered_by_the_piper_worker(piper, config):
    program = render("pause", config, piper, now=NOW)
    steps = [m for m in program.marks if m.text]
    assert len(steps) == len(config.scripts["pause"])
    for mark, after in zip(steps, [*steps[1:], None]):
        end = after.start if after else len(program.sound)
        said = program.sound[mark.start:end]
        assert np.sqrt(np.mean(said ** 2)) > 0.02, mark.text  # each step is spoken
    assert piper.piper is not None and piper.piper.starts == 1


def test_the_natural_voice_speaks_at_the_rate_asked_for(piper, config):
    """Words a minute while speaking, within 10% of ``voice.rate``, over the pause routine,
    at a calm, a slower and a quicker rate."""
    texts = [s.say for s in config.scripts["pause"]]
    for rate in (110, 130, 170):
        voice = Voice(rate=rate, synthesiser="piper", cache=piper.disk)
        try:
            pace = words_a_minute(voice, texts)
        finally:
            voice.close()
        assert abs(pace - rate) <= 0.1 * rate, (rate, pace)


def longest_quiet(sound: np.ndarray) -> float:
    """Seconds of the longest stretch below -50 dBFS."""
    quiet = np.concatenate([[0], (np.abs(sound) < 0.003).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(quiet))
    return float(np.max(edges[1::2] - edges[::2], initial=0)) / OUT_RATE


def test_sentences_have_a_breath_between_them(piper):
    one = piper.say("Let your shoulders drop.")
    two = piper.say("Let your shoulders drop. Let your hands rest too.")
    assert longest_quiet(one) < 0.4 <= SENTENCE_GAP <= longest_quiet(two)


def test_a_second_start_renders_nothing(piper, config):
    render("help", config, piper, now=NOW)
    again = Voice(rate=piper.rate, volume=piper.volume, synthesiser="piper", cache=piper.disk)
    first = render("help", config, again, now=NOW)
    assert again.rendered == 0 and again.piper is not None and again.piper.process is None
    assert np.array_equal(first.sound, render("help", config, piper, now=NOW).sound)
    files = list(piper.disk.glob("*.npy"))
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(piper.disk.stat().st_mode) == 0o700


def test_a_worker_killed_mid_routine_is_started_again(config, tmp_path):
    voice = configured_voice(piper_config(config), store=tmp_path)
    try:
        steps = config.scripts["body_scan"]
        voice.say(steps[0].say)
        assert voice.piper is not None and voice.piper.process is not None
        voice.piper.process.kill()
        voice.piper.process.wait()
        program = render("body_scan", config, voice, now=NOW)  # the routine goes on
        assert voice.engine == "piper" and voice.piper.starts == 2
        assert program.seconds > 60
    finally:
        voice.close()


def test_without_piper_espeak_ng_speaks_and_says_why(config, monkeypatch):
    monkeypatch.setattr(piper_module, "voice_files", lambda: None)
    voice = Voice(rate=config.rate, synthesiser="piper")
    assert voice.engine == "espeak-ng"
    assert "Piper voice is not installed" in voice.describe()
    assert len(voice.say("You are safe here.")) > 0.5 * OUT_RATE


def test_a_worker_that_cannot_start_hands_over_to_espeak_ng(config, monkeypatch, tmp_path):
    broken = tmp_path / "worker.py"
    broken.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(piper_module, "WORKER", broken)
    voice = Voice(rate=config.rate, synthesiser="piper")
    sound = voice.say("You are safe here.")  # asked twice, then espeak-ng
    assert voice.engine == "espeak-ng" and "could not say" in voice.describe()
    assert len(sound) > 0.5 * OUT_RATE


def test_the_worker_runs_nicer_than_the_assistant(piper):
    piper.say("Notice the ground under your feet.")
    process = piper.piper.process
    assert os.getpriority(os.PRIO_PROCESS, process.pid) >= \
        os.getpriority(os.PRIO_PROCESS, 0) + piper_module.NICE
