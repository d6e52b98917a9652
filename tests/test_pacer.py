"""Breathing and body scans, measured on the rendered audio rather than the code's bookkeeping."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from assistant import settings as config_module
from assistant.sound import OUT_RATE
from assistant.sound.files import read_wav
from assistant.speaking import routines
from assistant.speaking.voice import Voice

from .conftest import ROOT, cli, espeak_config, flite, run_through, silence
from .support.analysis import onset_delay, phase_timing, speech_onsets, tone_pitch


def cue_delay(word: str) -> float:
    return onset_delay(Voice(rate=150, volume=0.9).say(word))


def config_with(tmp_path, **breathing) -> str:
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["routines"]["breathing"].update(breathing)
    return espeak_config(tmp_path, data)


def render(tmp_path, *args, config=None) -> np.ndarray:
    out = tmp_path / "breathing.wav"
    result = cli("say", "breathing", "--output", out, *args,
                 *(["--config", config] if config else []))
    assert result.returncode == 0, result.stderr
    return read_wav(out, OUT_RATE)


PATTERNS = {"box": (4, 4, 4, 4), "4-7-8": (4, 7, 8, 0), "resonance": (4.9, 0, 6.0, 0)}


@pytest.mark.slow
@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_phase_starts_on_time_with_no_drift(tmp_path, pattern):
    phases = [p for p in PATTERNS[pattern] if p]
    cycle = sum(phases)
    minutes = 10 if pattern == "resonance" else 3
    sound = render(tmp_path, "--pattern", pattern, "--minutes", str(minutes),
                   config=config_with(tmp_path, intro="", outro="", hold_caution=""))
    cues = [c for c, p in zip(("in", "hold", "out", "hold"), PATTERNS[pattern]) if p]
    timing = phase_timing(sound, phases, [cue_delay(c) for c in cues])
    assert timing["cycles"] == round(minutes * 60 / cycle)
    assert len(speech_onsets(sound)) == timing["cycles"] * len(phases)
    assert timing["phase_error_ms"] <= 10 and timing["cycle_error_ms"] <= 10
    assert abs(timing["drift_ms"]) < 20


def test_the_tone_rises_on_the_inhale_and_falls_on_the_exhale(tmp_path):
    sound = render(tmp_path, "--pattern", "4-7-8", "--cycles", "2",
                   config=config_with(tmp_path, intro="", outro="", hold_caution="", cues={
                       "inhale": "", "hold": "", "exhale": ""}))
    start = 0.3  # the lead-in
    inhale_early, inhale_late = tone_pitch(sound, start + 0.3, start + 1.0), \
        tone_pitch(sound, start + 3.0, start + 3.7)
    exhale = start + 11.0
    exhale_early, exhale_late = tone_pitch(sound, exhale + 0.3, exhale + 1.0), \
        tone_pitch(sound, exhale + 7.0, exhale + 7.7)
    assert inhale_late > inhale_early * 1.2
    assert exhale_late < exhale_early / 1.2
    assert np.abs(sound[int((start + 4.2) * OUT_RATE):int((start + 10.8) * OUT_RATE)]).max() < 1e-3


def test_a_cue_longer_than_its_phase_is_shortened_never_the_phase(tmp_path):
    long_cue = "breathe in slowly and gently, all the way down into your belly, and fill up"
    config = config_with(tmp_path, intro="", outro="", cues={"inhale": long_cue, "hold": "hold",
                                                            "exhale": "out"},
                         patterns={"quick": [3, 0, 3, 0]})
    sound = render(tmp_path, "--pattern", "quick", "--cycles", "6", config=config)
    onsets = speech_onsets(sound, gap=0.05)
    starts = np.array([min(near) for k in range(6) if len(near := [
        t for t in onsets if abs(t - (0.3 + k * 6)) < 0.1])])  # the first word of each cue
    assert len(starts) == 6
    assert np.abs(np.diff(starts) - 6.0).max() <= 0.010


def test_dry_run_prints_the_timeline(tmp_path):
    result = cli("say", "breathing", "--pattern", "box", "--cycles", "3", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("breathing: ")
    breaths = [line for line in lines if "breath " in line]
    assert len(breaths) == 3
    assert "in 4 s" in breaths[0] and "out 4 s" in breaths[0]


def test_body_scan_leaves_out_the_regions_the_user_listed(tmp_path):
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["routines"]["body_scan"]["skip"] = ["chest", "belly"]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    full = cli("say", "body_scan", "--dry-run").stdout
    less = cli("say", "body_scan", "--dry-run", "--config", path).stdout
    assert "chest" in full and "belly" in full
    assert "chest" not in less and "belly" not in less and "shoulders" in less


# -- by voice, while a routine runs ---------------------------------------------------------------
def test_slower_lengthens_the_next_breath_by_about_ten_percent(tmp_path):
    events, out = run_through(
        tmp_path, silence(0.5), flite("breathe with me", "slt"), silence(30.0),
        flite("slower please", "rms"), silence(52.0),
        flite("be quiet now", "slt"), silence(0.5),
        config=espeak_config(tmp_path))
    assert [e["intent"] for e in events if e["event"] == "trigger"] == ["breathe", "slower",
                                                                        "quiet"]
    t_slower = next(e["t"] for e in events if e["event"] == "trigger" and e["intent"] == "slower")
    t_start = next(e["t"] for e in events if e["event"] == "routine_start")
    config = config_module.load(ROOT / "config.yaml")[0]
    program = routines.render("breathing", config, Voice(rate=config.rate, volume=config.volume))
    first = t_start + next(m.start for m in program.marks if m.label == "breath 1") / OUT_RATE
    onsets = speech_onsets(out)
    # resonance: in, out, in, out ... after the intro, leaving out the spoken "A little
    # slower" (the breathing waits while it is said, and goes on where it was).
    t_quiet = next(e["t"] for e in events if e["event"] == "trigger" and e["intent"] == "quiet")
    onsets = onsets[(onsets > first - 0.1) & ((onsets < t_slower) | (onsets > t_slower + 2.5))
                    & (onsets < t_quiet)]
    ins = onsets[::2]
    cycles = np.diff(ins)
    before = cycles[ins[1:] < t_slower]
    after = cycles[ins[:-1] > t_slower + 11]
    assert len(before) >= 1 and len(after) >= 2
    assert np.abs(before - 10.9).max() < 0.02
    assert np.abs(after / 10.9 - 1.1).max() < 0.01


def test_skip_and_repeat_in_the_body_scan(tmp_path):
    events, _ = run_through(tmp_path, silence(0.5), flite("body scan", "rms"),
                            silence(16.0), flite("skip this part", "slt"), silence(4.0),
                            flite("repeat that please", "slt"), silence(3.0),
                            flite("be quiet now", "slt"), silence(0.5),
                            config=espeak_config(tmp_path))
    seeks = [(e["reason"], e["to"]) for e in events if e["event"] == "seek"]
    assert [reason for reason, _ in seeks] == ["skip", "repeat"]
    # skip moved forward to the start of the section after the one playing; repeat, four
    # seconds into that section, went back to its start.
    began = next(e["t"] for e in events if e["event"] == "routine_start")
    said = next(e["t"] for e in events if e["event"] == "trigger" and e["intent"] == "skip")
    config = config_module.load(ROOT / "config.yaml")[0]
    scan = routines.render("body_scan", config, Voice(rate=config.rate))
    at = int(round((said - began) * OUT_RATE))
    following = scan.marks[scan.section_at(at) + 1].start / OUT_RATE
    assert following > said - began
    assert seeks[0][1] == round(following, 2)
    assert seeks[1][1] == seeks[0][1]


def test_pace_changes_stay_between_3_and_10_breaths_a_minute():
    from assistant.speaking.pacer import clamp_pace

    box = (4.0, 4.0, 4.0, 4.0)  # 3.75 a minute
    assert 60 / (16 * clamp_pace(box, 1.1 ** 5)) == pytest.approx(3.0)
    assert 60 / (16 * clamp_pace(box, 0.1)) == pytest.approx(10.0)
    assert clamp_pace(box, 1.1) == pytest.approx(1.1)


def test_resume_after_the_pause_word_starts_again_at_the_start_of_a_breath(tmp_path):
    events, out = run_through(
        tmp_path, silence(0.5), flite("breathe with me", "slt"), silence(14.0),
        flite("stop everything", "rms"), silence(2.0),
        flite("continue please", "kal16"), silence(4.0),
        flite("be quiet now", "slt"), silence(0.5),
        config=espeak_config(tmp_path))
    assert [e["intent"] for e in events if e["event"] == "trigger"] == [
        "breathe", "pause", "resume", "quiet"]
    starts = [e for e in events if e["event"] == "routine_start"]
    assert [e["routine"] for e in starts] == ["breathing", "pause", "breathing"]
    resumed = starts[2]["t"]
    # The first sound after resuming is the "in" cue, at once: a breath begins there.
    after = speech_onsets(out[int(resumed * OUT_RATE):])
    assert after[0] == pytest.approx(cue_delay("in"), abs=0.005)
