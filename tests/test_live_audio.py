"""The real PortAudio path, with a PulseAudio daemon standing in for the sound card.

Two null sinks: the assistant's microphone is the monitor of one (``paplay`` talks
into it), its speaker is the other (``parecord`` listens to its monitor).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from assistant import config as config_module
from assistant.sound import OUT_RATE
from assistant.sound.files import read_wav
from assistant.speaking.routines import render
from assistant.speaking.voice import Voice
from assistant.speaking.words import fill

from .conftest import ROOT, flite, save, silence
from .support.analysis import best_match

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    if shutil.which("pulseaudio") is None:
        pytest.fail("pulseaudio is not installed; scripts/setup.sh --test installs it")
    runtime = tmp_path_factory.mktemp("pulse")
    env = os.environ | {"PULSE_RUNTIME_PATH": str(runtime), "PULSE_STATE_PATH": str(runtime),
                        "PULSE_SERVER": f"unix:{runtime}/native", "HOME": str(runtime)}
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes",
         f"--load=module-native-protocol-unix auth-anonymous=1 socket={runtime}/native",
         "--load=module-null-sink sink_name=speaker rate=22050",
         "--load=module-null-sink sink_name=mic rate=16000",
         "--load=module-always-sink"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode:
        if time.monotonic() > deadline or daemon.poll() is not None:
            daemon.kill()
            pytest.fail("the PulseAudio daemon did not start")
        time.sleep(0.2)
    subprocess.run(["pactl", "set-default-source", "mic.monitor"], env=env, check=True)
    subprocess.run(["pactl", "set-default-sink", "speaker"], env=env, check=True)
    yield env
    daemon.terminate()
    daemon.wait(10)


def test_devices_lists_the_sound_server(pulse):
    result = subprocess.run([sys.executable, "-m", "assistant", "devices"], env=pulse,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "pulse" in result.stdout or "default" in result.stdout


def test_live_microphone_and_speaker(pulse, tmp_path):
    words = save(tmp_path / "words.wav", silence(0.5), flite("body scan", "rms", tmp_path),
                 silence(5.0), flite("stop everything", "slt", tmp_path), silence(0.5))
    events = tmp_path / "events.jsonl"
    heard = tmp_path / "speaker.wav"
    recorder = subprocess.Popen(["parecord", "--device=speaker.monitor", "--channels=1",
                                 "--rate=22050", "--file-format=wav", str(heard)], env=pulse)
    assistant = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", "--config", str(ROOT / "config.yaml"),
         "--events", str(events)], env=pulse, cwd=tmp_path, stderr=subprocess.PIPE, text=True,
        # Ctrl-C as in a terminal, even when the tests themselves run in the background (a
        # shell starts background jobs with SIGINT ignored, and children inherit that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said: list[str] = []
    try:
        line = assistant.stderr.readline()  # "Listening. ..." once the streams are open
        assert line.startswith("Listening"), line
        # Keep reading what it says, so a full pipe can never hold it up.
        threading.Thread(target=lambda: said.extend(assistant.stderr), daemon=True).start()
        subprocess.run(["paplay", "--device=mic", str(words)], env=pulse, check=True, timeout=60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kinds = [json.loads(x)["event"] for x in events.read_text().splitlines()]
            if kinds.count("routine_start") >= 2:
                break
            time.sleep(0.2)
        time.sleep(3.0)  # let the pause routine speak for a while
    finally:
        assistant.send_signal(signal.SIGINT)
        try:
            code = assistant.wait(20)
        except subprocess.TimeoutExpired:
            assistant.kill()
            pytest.fail("Ctrl-C did not stop it within 20 s; it said: " + "".join(said)[-2000:])
        recorder.send_signal(signal.SIGINT)
        recorder.wait(20)
    assert code == 130
    log = [json.loads(x) for x in events.read_text().splitlines()]
    assert [e["intent"] for e in log if e["event"] == "trigger"] == ["body_scan", "pause"]
    assert [e["routine"] for e in log if e["event"] == "routine_start"] == ["body_scan", "pause"]
    # From the speaker's recording alone: the body scan spoke, fell silent when the pause
    # phrase was heard, and after the calm lead-in the pause routine's first sentence came.
    sound = read_wav(heard, OUT_RATE)
    config = config_module.load(ROOT / "config.yaml")[0]
    opening = Voice(rate=config.rate, volume=config.volume).say(
        fill(config.scripts["pause"][0].say, {"name": config.name}))
    at, similarity = best_match(sound, opening)
    assert similarity > 0.95, "the pause routine's first sentence was not played"
    spoken = np.flatnonzero(np.abs(sound[:at]) > 0.01)
    stop = int(spoken[-1])  # the last sound before the pause routine: where the scan stopped
    assert (at - stop) / OUT_RATE >= 0.25, "speech went on where the stop should be"
    before = sound[max(0, stop - 3 * OUT_RATE):stop]
    assert np.sqrt(np.mean(before ** 2)) > 0.01, "the body scan was not speaking before"
    scan = render("body_scan", config, Voice(rate=config.rate, volume=config.volume))
    said, alike = best_match(scan.sound, sound[stop - OUT_RATE // 2:stop])
    assert alike > 0.9, "what stopped was the body scan"
    assert said / OUT_RATE > 3.0, "the body scan had been speaking for seconds when it stopped"
