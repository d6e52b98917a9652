"""A voice of their own: recorded steps play instead of synthesis, sample for sample, and
pause, resume, skip and slower work on them as on any step."""
from __future__ import annotations

import datetime as dt
import stat

import numpy as np
import pytest
import yaml

from assistant import settings as config_module
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.files import read_wav, resample
from assistant.speaking import takes
from assistant.speaking.routines import render
from assistant.speaking.voice import Voice
from assistant.speaking.words import fill, fill_values

from .conftest import ROOT, cli, flite, save, silence
from .support.analysis import best_match
from .test_core import NOW, Run

RECORDED = 4  # the body scan's first steps are recorded; the others stay synthetic


@pytest.fixture(scope="module")
def config():
    return config_module.load(ROOT / "config.yaml")[0]


@pytest.fixture(scope="module")
def recorded(config, tmp_path_factory):
    """A data folder with the first body scan steps recorded (a flite voice standing in for
    the person's), and the voice that plays them."""
    store = tmp_path_factory.mktemp("data")
    scan = render("body_scan", config, Voice(rate=config.rate), now=NOW)
    kept = []
    for mark in [m for m in scan.marks if m.text][:RECORDED]:
        sound = resample(flite(mark.text, "awb"), IN_RATE, OUT_RATE).astype(np.float32)
        takes.keep(store, mark.text, sound)
        kept.append(read_wav(takes.take_path(store, mark.text), OUT_RATE))
    return Voice(rate=config.rate, volume=config.volume, takes=store), kept, store


def test_recorded_steps_play_sample_for_sample(config, recorded):
    voice, kept, store = recorded
    scan = render("body_scan", config, voice, now=NOW)
    steps = [m for m in scan.marks if m.text]
    for mark, take in zip(steps, kept):
        np.testing.assert_array_equal(scan.sound[mark.start:mark.start + len(take)],
                                      take * np.float32(config.volume))
    synthetic = render("body_scan", config, Voice(rate=config.rate, volume=config.volume),
                       now=NOW)
    later = [m for m in synthetic.marks if m.text][RECORDED:]
    assert [m.text for m in steps[RECORDED:]] == [m.text for m in later]
    end = steps[RECORDED].start
    np.testing.assert_array_equal(scan.sound[end:end + OUT_RATE],  # then the voice again
                                  synthetic.sound[later[0].start:later[0].start + OUT_RATE])
    files = list((store / takes.FOLDER).iterdir())
    assert len(files) == RECORDED and all(stat.S_IMODE(f.stat().st_mode) == 0o600
                                          for f in files)


def test_slower_changes_the_waits_not_the_recording(config, recorded):
    voice, kept, _ = recorded
    slow = render("body_scan", config, voice, now=NOW, wait_scale=1.5)
    usual = render("body_scan", config, voice, now=NOW)
    steps = [m for m in slow.marks if m.text]
    for mark, take in zip(steps, kept):
        np.testing.assert_array_equal(slow.sound[mark.start:mark.start + len(take)],
                                      take * np.float32(config.volume))
    assert slow.seconds > usual.seconds


def test_pause_resume_and_skip_work_on_recorded_steps(config, recorded):
    voice = recorded[0]
    scan = render("body_scan", config, voice, now=NOW)
    second = [m for m in scan.marks if m.text][1]
    inside = round(0.5 + second.start / OUT_RATE + 1.0, 1)  # a second into the second step
    run = Run(config, voice, {0.5: "body_scan", inside: "pause", inside + 2.0: "resume"})
    run.until(inside + 3.0)
    assert run.routine() == "body_scan"
    run.plays(inside + 2.0, scan.sound, at=second.start)  # the recorded step, from its start
    run = Run(config, voice, {0.5: "body_scan", inside: "skip"}).until(inside + 1.0)
    following = scan.marks[scan.section_at(second.start) + 1].start
    run.plays(inside, scan.sound, at=following)


def test_steps_with_the_time_in_them_are_not_recorded(config):
    values = fill_values(config, dt.datetime(2026, 11, 28, 10, 0))
    assert not takes.recordable("It is {time} on {weekday}.")
    assert takes.recordable("You are safe here, {name}.")
    assert fill("You are safe here, {name}.", values).endswith(f"{config.name}.")


@pytest.fixture
def espeak_config(tmp_path, example):
    example["voice"]["engine"] = "espeak"  # quick; the takes are the same for any voice
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(example, sort_keys=False))
    return path


def test_record_from_files_then_forget(tmp_path, espeak_config):
    config = config_module.load(espeak_config)[0]
    steps = [s.say for s in config.scripts["pause"] if takes.recordable(s.say)]
    wavs = [save(tmp_path / f"step{i}.wav", silence(0.5), flite(text, "rms"), silence(0.5))
            for i, text in enumerate(steps)]
    env = {"GROUNDING_DATA": str(tmp_path / "data")}
    wrong = cli("record", "pause", "--config", espeak_config, "--from", *wavs[:-1], env=env)
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert f"each of the {len(steps)} steps" in wrong.stderr
    mute = save(tmp_path / "mute.wav", silence(2.0))
    quiet = cli("record", "pause", "--config", espeak_config, "--from", *wavs[:-1], mute,
                env=env)
    assert quiet.returncode == 2 and "no voice in it" in quiet.stderr
    done = cli("record", "pause", "--config", espeak_config, "--from", *wavs, env=env)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "data" / takes.FOLDER).glob("*.wav"))) == len(steps)
    out = tmp_path / "out.wav"
    said = cli("say", "pause", "--config", espeak_config, "--output", out, env=env)
    assert said.returncode == 0, said.stderr
    first = read_wav(takes.take_path(tmp_path / "data", fill(steps[0], fill_values(
        config, dt.datetime.now()))), OUT_RATE)
    played = read_wav(out, OUT_RATE)
    _, alike = best_match(played, first * np.float32(config.volume))
    assert alike > 0.99, "the recorded step was played"
    forgot = cli("record", "--forget", env=env)
    assert forgot.returncode == 0 and f"Deleted {len(steps)} recorded steps" in forgot.stdout
    assert not (tmp_path / "data" / takes.FOLDER).exists()
