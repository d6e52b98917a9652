"""The calm status area: on a terminal it shows the routine and its progress, and no
developer log lines unless asked; the breathing bar follows the breath."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios

import pytest

from assistant.screen import status_of

from .conftest import ROOT, flite, save, silence
from .test_core import Run, config, voice  # noqa: F401 - fixtures

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(*args: str) -> tuple[int, str]:
    """Run ``grounding`` with a pseudo-terminal as its screen; its exit code and what it
    drew, with the terminal's escape codes taken out."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="40")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "grounding"), *args],
                               stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    drawn = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            drawn += data
        elif process.poll() is not None:
            break
    os.close(master)
    return process.wait(timeout=60), ANSI.sub(b"", drawn).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("screen")
    return save(tmp / "in.wav", silence(0.5), flite("body scan", "rms"), silence(8.0),
                flite("be quiet now", "slt"), silence(2.0)), tmp


def test_the_terminal_shows_the_routine_and_its_progress_and_no_log_lines(spoken):
    wav, tmp = spoken
    code, drawn = on_a_terminal("run", "--input", str(wav), "--output", str(tmp / "o.wav"),
                                "--events", str(tmp / "e.jsonl"))
    assert code == 0, drawn
    assert "Listening" in drawn and "Body scan" in drawn, drawn
    lefts = [int(m) * 60 + int(s) for m, s in re.findall(r"(\d+):(\d\d) left", drawn)]
    assert len(set(lefts)) >= 3 and lefts == sorted(lefts, reverse=True), lefts  # counts down
    assert "━" in drawn  # the progress bar
    assert not re.search(r"routine_start|trigger|speech_stop", drawn), drawn
    code, verbose = on_a_terminal("run", "--input", str(wav), "--output", str(tmp / "o.wav"),
                                  "--fast", "--verbose")
    assert code == 0 and "routine_start routine=body_scan" in verbose


def test_without_a_terminal_it_prints_plain_lines(spoken):
    wav, tmp = spoken
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "grounding"), "run", "--input",
                             str(wav), "--output", str(tmp / "p.wav"), "--fast"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "Playing: Body scan" in result.stderr and "\x1b[" not in result.stderr, lines
    assert lines.index(next(x for x in lines if x.startswith("Playing: Body scan"))) < \
        max(i for i, x in enumerate(lines) if x.startswith("Listening"))


def test_the_breathing_bar_grows_on_the_breath_in_and_shrinks_on_the_breath_out(config,  # noqa: F811
                                                                              voice):  # noqa: F811
    run = Run(config, voice, {0.5: "breathe"})
    seen = []
    while run.assistant.now < 45.0:
        run.until(run.assistant.now + 0.1)
        seen.append(status_of(run.assistant))
    breath = [s for s in seen if s.phase]
    assert {s.phase for s in breath} == {"inhale", "exhale"}  # resonance: no holds
    inhale = [s.fullness for s in breath if s.phase == "inhale"][:45]  # the first breath in
    exhale = [s.fullness for s in breath if s.phase == "exhale"][:55]  # ...and out
    assert inhale == sorted(inhale) and inhale[0] < 0.1 and inhale[-1] > 0.85
    assert exhale == sorted(exhale, reverse=True) and exhale[0] > 0.9 and exhale[-1] < 0.15
    assert all(s.routine == "breathing" and s.total > 170 for s in seen[10:])


@pytest.mark.parametrize("discreet", [False, True])
def test_the_label_has_a_place_of_its_own_beside_the_bar(discreet):
    """The part's label and "breathe in" stand apart from the bar (they were glued to its
    end: "━━╺━━…━━intro"); in discreet mode no routine's name or part is shown."""
    import io

    from rich.console import Console

    from assistant.screen import Screen, Status

    shown = {}
    for name, status in (("scan", Status("body_scan", False, 10, 100, "intro")),
                         ("breath", Status("breathing", False, 10, 100, "breath 2", "inhale",
                                           0.4))):
        out = io.StringIO()
        screen = Screen(out, engine="whisper", discreet=discreet)
        Console(file=out, width=80).print(screen.draw(status))
        shown[name] = out.getvalue().splitlines()
    bar = shown["scan"][1]
    assert re.search(r"━\s{2,}intro$", bar) or (discreet and "intro" not in bar), bar
    assert re.search(r"━\s{2,}breathe in$", shown["breath"][2]), shown["breath"]
    assert ("Body scan" in shown["scan"][0]) != discreet
    assert ("Playing" in shown["scan"][0]) == discreet
