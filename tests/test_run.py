"""End to end through `run`: a command, later the pause word; events and audio are checked."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml

from assistant import settings as config_module
from assistant.sound import OUT_RATE
from assistant.sound.files import read_wav
from assistant.sound.player import FADE_OUT
from assistant.speaking.answers import ANSWERS, chime
from assistant.speaking.routines import render
from assistant.speaking.timeline import LEAD_IN

from .conftest import ROOT, cli, flite, read_events, run_through, save, silence, voice_of
from .support.analysis import best_match

STOP_LIMIT = 0.100  # seconds of audio time from the pause trigger to silence


FPS = 50  # envelope frames a second: 441 samples, exactly 20 ms at 22050 Hz


def envelope(sound: np.ndarray, rate: int) -> np.ndarray:
    n = rate // FPS
    frames = sound[:len(sound) // n * n].reshape(-1, n)
    return np.sqrt((frames ** 2).mean(axis=1))


def chimes_at(out: np.ndarray, t: float) -> int:
    """Asserts the confirmation chime starts at ``t`` (as 16-bit samples, after the fade of
    what played before); returns the sample after it."""
    sound, i = chime(), int(round(t * OUT_RATE))
    fade = int(FADE_OUT * OUT_RATE) + 1
    assert np.abs(out[i + fade:i + len(sound)] - sound[fade:]).max() <= 2 / 32768
    return i + len(sound)


def first(events: list[dict], event: str, **match) -> dict:
    return next(e for e in events if e["event"] == event
                and all(e.get(k) == v for k, v in match.items()))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    wav = save(tmp / "in.wav", silence(0.8), flite("body scan", "rms"), silence(7.0),
               flite("stop everything", "slt"), silence(2.0))
    result = cli("run", "--config", ROOT / "config.yaml", "--input", wav, "--output",
                 tmp / "out.wav", "--events", tmp / "events.jsonl", "--fast")
    assert result.returncode == 0, result.stderr
    return read_events(tmp / "events.jsonl"), read_wav(tmp / "out.wav", OUT_RATE), tmp


def test_events_show_command_then_pause(scenario):
    events, _, _ = scenario
    triggers = [(e["intent"], e["phrase"]) for e in events if e["event"] == "trigger"]
    assert triggers == [("body_scan", "body scan"), ("pause", "stop everything")]
    scan = first(events, "routine_start", routine="body_scan")
    pause_trigger = first(events, "trigger", intent="pause")
    stop = first(events, "speech_stop", routine="body_scan")
    assert 1.0 < scan["t"] < 3.0
    assert 8.0 < pause_trigger["t"] < 11.0
    # The voice stops on the first stage's candidate; the check confirms within a second and
    # only then does the pause routine start.
    candidate = first(events, "candidate", intent="pause")
    assert 0.0 <= stop["t"] - candidate["t"] <= STOP_LIMIT
    assert 0.0 < pause_trigger["t"] - candidate["t"] < 1.0
    # ...acted on in the same 20 ms chunk in which the check answered.
    assert 0.0 <= first(events, "routine_start", routine="pause")["t"] - pause_trigger["t"] \
        < 0.02
    end = events[-1]
    assert end == {"t": end["t"], "event": "routine_end", "routine": "pause", "reason": "finished"}
    assert all(e["t"] <= f["t"] for e, f in zip(events, events[1:]))


def test_output_holds_speech_then_silence_within_100ms_then_the_pause_routine(scenario):
    events, out, _ = scenario
    env = envelope(out, OUT_RATE)
    t_scan = first(events, "routine_start", routine="body_scan")["t"]
    t_trigger = first(events, "candidate", intent="pause")["t"]  # the voice stops on this
    t_stop = first(events, "speech_stop", routine="body_scan")["t"]
    t_pause = first(events, "routine_start", routine="pause")["t"]
    # Nothing is said before the command; the body scan speaks after its lead-in.
    assert env[:int(t_scan * FPS)].max() < 1e-4
    assert env[int((t_scan + LEAD_IN) * FPS):int(t_trigger * FPS)].max() > 0.05
    # Measured on the audio: the body scan's sound ends within 100 ms of the trigger.
    quiet = np.flatnonzero(env[int(t_trigger * FPS):] < 1e-4)
    assert len(quiet) and quiet[0] / FPS <= STOP_LIMIT
    # It was speaking in the half second before (the candidate comes as the phrase's last
    # sound is said, which may fall between two of the scan's words).
    assert env[int((t_trigger - 0.5) * FPS):int(t_trigger * FPS)].max() > 0.05
    # Then, after its calm lead-in, the pause routine's first sentence, sample for sample,
    # and the silence it asks for after it.
    config = config_module.load(ROOT / "config.yaml")[0]
    opening = voice_of(config).say(config.scripts["pause"][0].say.format(name=config.name))
    # The chime before each routine, nothing else before it.
    chimes_at(out, t_scan)
    start = chimes_at(out, t_pause) + int(round(LEAD_IN * OUT_RATE))
    quiet_from = int(round((t_stop + FADE_OUT) * OUT_RATE)) + 1
    assert np.abs(out[quiet_from:int(round(t_pause * OUT_RATE))]).max() == 0
    assert np.abs(out[start - int(round(LEAD_IN * OUT_RATE)):start]).max() == 0
    said = out[start:start + len(opening)]
    assert np.abs(said - opening).max() <= 2 / 32768  # as 16-bit samples, scaled, rounded
    wait = config.scripts["pause"][0].wait
    assert np.abs(out[start + len(opening):start + len(opening) + int(wait * OUT_RATE)]).max() == 0
    # The run ends when the pause routine has finished.
    assert abs(len(out) / OUT_RATE - events[-1]["t"]) < 0.05


def test_resume_goes_back_to_the_start_of_the_interrupted_section(tmp_path):
    wav = save(tmp_path / "in.wav", silence(0.5), flite("body scan", "rms"),
               silence(19.0), flite("stop everything", "slt"), silence(2.0),
               flite("continue please", "kal16"), silence(3.0),
               flite("be quiet now", "slt"), silence(1.0))
    result = cli("run", "--input", wav, "--output", tmp_path / "out.wav",
                 "--events", tmp_path / "ev.jsonl", "--fast")
    assert result.returncode == 0, result.stderr
    events = read_events(tmp_path / "ev.jsonl")
    intents = [e["intent"] for e in events if e["event"] == "trigger"]
    assert intents == ["body_scan", "pause", "resume", "quiet"]
    starts = [e["routine"] for e in events if e["event"] == "routine_start"]
    assert starts == ["body_scan", "pause", "body_scan"]
    ends = [(e["routine"], e["reason"]) for e in events if e["event"] == "routine_end"]
    assert ends == [("body_scan", "pause"), ("pause", "resume"), ("body_scan", "quiet")]
    # The resumed scan says again, sample for sample, a section heard before the pause,
    # from that section's start (silence before it in the first playing).
    out = read_wav(tmp_path / "out.wav", OUT_RATE)
    first_start = first(events, "routine_start", routine="body_scan")["t"]
    t_pause = first(events, "trigger", intent="pause")["t"]
    resumed = [e for e in events if e["event"] == "routine_start"][2]["t"]
    t_quiet = first(events, "answer")["t"]  # where it answers (the phrase was heard just before)
    a = chimes_at(out, resumed)
    again = out[a:a + OUT_RATE]
    before = out[int(first_start * OUT_RATE):int(t_pause * OUT_RATE)]
    at, similarity = best_match(before, again)
    assert similarity > 0.999
    assert np.abs(before[at - OUT_RATE // 2:at]).max() < 1e-4  # a section boundary
    assert t_pause - (first_start + at / OUT_RATE) < 12  # the section that was playing
    # "quiet" is answered in a few words, then leaves silence to the end.
    config = config_module.load(ROOT / "config.yaml")[0]
    okay = voice_of(config).say(ANSWERS["quiet"])
    b = chimes_at(out, t_quiet)
    assert np.abs(out[b:b + len(okay)] - okay).max() <= 2 / 32768
    assert np.abs(out[b + len(okay):]).max() < 1e-4


def test_say_plays_a_routine_and_still_hears_the_pause_word(tmp_path):
    wav = save(tmp_path / "in.wav", silence(6.0), flite("stop everything", "awb"),
               silence(1.0))
    result = cli("say", "ground", "--input", wav, "--output", tmp_path / "out.wav",
                 "--events", tmp_path / "ev.jsonl", "--fast")
    assert result.returncode == 0, result.stderr
    events = read_events(tmp_path / "ev.jsonl")
    assert [e["routine"] for e in events if e["event"] == "routine_start"] == ["ground", "pause"]
    assert first(events, "routine_end", routine="ground")["reason"] == "pause"


def test_no_microphone_is_one_plain_sentence_and_a_nonzero_exit(tmp_path):
    """In words a person understands; what the sound system said only with --verbose."""
    # No sound card here, and no sound server either (one may run for another test).
    env = {"PULSE_SERVER": "unix:/nonexistent", "AUDIODEV": "null"}
    for verbose in ((), ("--verbose",)):
        result = cli("run", "--config", ROOT / "config.yaml", "--output", tmp_path / "o.wav",
                     *verbose, timeout=60, cwd=tmp_path, env=env)
        assert result.returncode == 3, result.stderr
        lines = result.stderr.strip().splitlines()
        said = lines[-2] if verbose else lines[-1]
        assert said.startswith("No microphone can be heard. Check that one is plugged in")
        assert ("the sound system said" in lines[-1]) == bool(verbose), lines
        assert "Traceback" not in result.stderr and "Error querying" not in said


def test_detect_reports_a_bad_file_and_goes_on(tmp_path):
    good = save(tmp_path / "good.wav", silence(0.5), flite("stop everything", "slt"),
                silence(0.5))
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    result = cli("detect", bad, good)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert lines[0]["file"] == str(bad) and lines[0]["error"]
    assert [d["phrase"] for d in lines[1]["detections"]] == ["stop everything"]


def test_sigterm_finishes_the_output_file_at_once(tmp_path):
    """A service stopped (SIGTERM) mid-sentence: it ends within a second, and the WAV it was
    writing is complete and readable, as long as the time it ran."""
    wav = save(tmp_path / "in.wav", silence(0.5), flite("body scan", "rms"),
               silence(30.0))
    out, events = tmp_path / "out.wav", tmp_path / "ev.jsonl"
    begun = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--input", str(wav),
                                "--output", str(out), "--events", str(events), "--config",
                                str(ROOT / "config.yaml")], stderr=subprocess.PIPE, text=True)
    # Paced like a microphone: wait for the body scan to start (however long the engines
    # take to load on a busy machine), then for a second of it in the file being written
    # (on a busy machine the replay falls behind the wall clock).
    start = wait_for_event(events, "routine_start", process, limit=300)
    part = out.with_name(f".{out.name}.part")
    deadline = time.monotonic() + 120
    while part.stat().st_size < 44 + 2 * OUT_RATE * (start["t"] + 1.0):
        assert time.monotonic() < deadline and process.poll() is None, "no output written"
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    code = process.wait(10)
    assert time.monotonic() - started < 1.0
    assert code == 143, process.stderr.read() if process.stderr else ""
    sound = read_wav(out, OUT_RATE)
    # Never shorter than a moment it had logged, never longer than it ran.
    assert start["t"] + 0.5 < len(sound) / OUT_RATE < time.monotonic() - begun
    assert np.abs(sound[int(start["t"] * OUT_RATE):]).max() > 0.05  # the scan's words


def wait_for_event(path, name: str, process: subprocess.Popen, *, limit: float) -> dict:
    """The first ``name`` event a running ``process`` logs to ``path`` (waited for, polling,
    up to ``limit`` seconds)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = [e for e in read_events(path) if e["event"] == name] if path.exists() else []
        if found:
            return found[0]
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.1)
    raise AssertionError(f"no {name} event within {limit} s")


@pytest.mark.parametrize("valid", [True, False])
def test_sighup_reads_the_configuration_again(tmp_path, example, valid):
    """SIGHUP while it listens: a changed file that passes the checks is used from then on
    (here "ground me now" no longer starts grounding, "ground me please" does, heard where
    it was said); one that does not is reported, and the configuration before stays."""
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(example, sort_keys=False))
    wav = save(tmp_path / "in.wav", silence(9.0), flite("ground me now", "slt"),
               silence(2.0), flite("ground me please", "slt"), silence(2.0))
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", "--input", str(wav), "--output",
         str(tmp_path / "out.wav"), "--events", str(tmp_path / "ev.jsonl"), "--config",
         str(config)], stderr=subprocess.PIPE, text=True)
    # Listening (however long the engines take to load), and well before the first phrase.
    wait_for_event(tmp_path / "ev.jsonl", "listening", process, limit=300)
    if valid:
        example["listen"]["words"]["ground"] = ["ground me please"]
        config.write_text(yaml.safe_dump(example, sort_keys=False))
    else:
        config.write_text("listen: [this is not\n")
    process.send_signal(signal.SIGHUP)
    process.wait(120)
    said = process.stderr.read() if process.stderr else ""
    events = read_events(tmp_path / "ev.jsonl")
    reloads = [e["used"] for e in events if e["event"] == "reload"]
    triggers = [e["intent"] for e in events if e["event"] == "trigger"]
    assert process.returncode == 0, said
    if valid:
        assert reloads == [True] and triggers == ["ground"] and "in use" in said
        heard = next(e for e in events if e["event"] == "heard")
        assert heard["phrase"] == "ground me please" and 12.0 < heard["end"] < 14.5
    else:
        assert reloads == [False] and triggers == ["ground"]
        assert "was not used" in said and "not valid YAML" in said


def test_phrases_with_nothing_to_do_are_answered_and_own_routines_and_the_list_play(tmp_path):
    """Through `run`, heard by the default engine: "continue please" with nothing to go back
    to gets its spoken answer; a routine of the user's own starts on its phrase; "list my
    phrases" reads them. Each answer starts with the chime."""
    events, out = run_through(
        tmp_path, silence(0.5), flite("continue please", "kal16"), silence(9.5),
        flite("check in with me", "slt"), silence(4.0),
        flite("list my phrases", "rms"), silence(4.0),
        flite("be quiet now", "slt"), silence(4.0))
    assert [e["intent"] for e in events if e["event"] == "trigger"] == \
        ["resume", "check_in", "what_can_i_say", "quiet"]
    assert [e["routine"] for e in events if e["event"] == "routine_start"] == \
        ["check_in", "phrases"]
    config = config_module.load(ROOT / "config.yaml")[0]
    voice = voice_of(config)
    resume = first(events, "answer", text=ANSWERS["nothing_to_resume"])["t"]
    b = chimes_at(out, resume)
    answer = voice.say(ANSWERS["nothing_to_resume"])
    assert np.abs(out[b:b + len(answer)] - answer).max() <= 2 / 32768
    for routine in ("check_in", "phrases"):
        start = first(events, "routine_start", routine=routine)["t"]
        b = chimes_at(out, start) + int(round(LEAD_IN * OUT_RATE))
        opening = voice.say(render(routine, config, voice).marks[0].text)[:OUT_RATE]
        assert np.abs(out[b:b + len(opening)] - opening).max() <= 2 / 32768, routine


def test_discreet_mode_plays_more_quietly_and_names_no_routine_on_the_screen(tmp_path, example):
    example["discreet"] = True
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text(yaml.safe_dump(example, sort_keys=False))
    outputs = {}
    for name, config in (("plain", ROOT / "config.yaml"), ("quiet", quiet)):
        result = cli("say", "help", "--config", config, "--output", tmp_path / f"{name}.wav")
        assert result.returncode == 0, result.stderr
        outputs[name] = (read_wav(tmp_path / f"{name}.wav", OUT_RATE), result.stderr)
    (plain, shown), (soft, hidden) = outputs["plain"], outputs["quiet"]
    assert "Help" in shown and "Help" not in hidden and "Playing (" in hidden
    assert np.abs(soft).max() == pytest.approx(np.abs(plain).max() / 2, rel=0.05)


def test_detect_with_check_ins_on_names_a_rating_and_never_crashes(tmp_path, example):
    """A check-in's answer is heard as a rating (before: ``KeyError: 'seven'``)."""
    example["checkins"]["enabled"] = True
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(example, sort_keys=False))
    wav = save(tmp_path / "seven.wav", silence(0.5), flite("seven", "rms"), silence(1.0))
    result = cli("detect", "--config", config, wav)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    found = json.loads(lines[0])["detections"]
    assert [(d["intent"], d["phrase"]) for d in found] == [("rating", "seven")]


def test_a_voice_that_cannot_speak_is_refused_by_check_and_say(tmp_path, example):
    example["voice"].update(engine="espeak", voice="nonsense")  # an espeak-ng voice
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(example, sort_keys=False))
    for command in (("check",), ("say", "pause", "--output", tmp_path / "p.wav")):
        result = cli(*command, "--config", config)
        assert result.returncode == 2, result.stderr
        assert f"{config}:" in result.stderr and "voice.voice" in result.stderr
        assert "'nonsense'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p.wav").exists()
