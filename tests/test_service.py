"""`grounding service`: the systemd user unit is written, passes systemd's own check, and is
taken away again; without a user manager it says how to enable it."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from assistant.service import unit_text

from .conftest import ROOT, cli


def test_install_writes_a_unit_that_restarts_and_keeps_off_the_network(tmp_path):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    installed = cli("service", "install", env=env)
    assert installed.returncode == 0, installed.stderr
    unit = tmp_path / "systemd" / "user" / "grounding.service"
    text = unit.read_text()
    for line in ("Restart=on-failure", "RestrictAddressFamilies=AF_UNIX AF_NETLINK",
                 "NoNewPrivileges=yes", "WantedBy=default.target",
                 f"--config {ROOT / 'config.yaml'}"):
        assert line in text, line
    assert "After=pipewire.service" in text and "pulseaudio.service" in text
    # Nothing a user manager cannot do: a BPF firewall needs privileges, and sound.target is
    # a system unit.
    assert "IPAddressDeny" not in text and "sound.target" not in text
    if "no systemd user manager" in installed.stdout:  # a container, as in CI
        assert "systemctl --user enable --now grounding.service" in installed.stdout
        assert "not enabled" in cli("service", "status", env=env).stdout
    removed = cli("service", "remove", env=env)
    assert removed.returncode == 0 and not unit.exists()
    assert "Not installed" in cli("service", "status", env=env).stdout


def test_a_bad_config_installs_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("user: [\n")
    result = cli("service", "install", "--config", bad, env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 2 and "not valid YAML" in result.stderr
    assert not (tmp_path / "systemd").exists()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_finds_nothing_wrong_in_the_unit(tmp_path):
    unit = tmp_path / "grounding.service"
    unit.write_text(unit_text(ROOT / "config.yaml", python=sys.executable))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    # It reports unknown keys and bad values as warnings, not failures: there must be none
    # about this unit (lines about other units on the machine are not ours).
    assert [line for line in done.stderr.splitlines() if "grounding.service" in line] == []


def test_as_a_service_a_missing_microphone_is_waited_for_not_an_exit(tmp_path):
    import signal
    import time

    env = dict(__import__("os").environ, PULSE_SERVER="unix:/nonexistent", AUDIODEV="null")
    process = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--service",
                                "--config", str(ROOT / "config.yaml")], cwd=tmp_path, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # said as soon as it finds no microphone
    time.sleep(3.0)  # ...and it goes on waiting (looking again every two seconds)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 143
    err = first + err
    said = err.strip().splitlines()
    assert said[0].startswith("No microphone can be heard.") and said[0].endswith(
        "Waiting for one."), err
    assert "Traceback" not in err


def user_manager() -> bool:
    if shutil.which("systemd-run") is None:
        return False
    done = subprocess.run(["systemd-run", "--user", "--wait", "--quiet", "true"],
                          capture_output=True, text=True)
    return done.returncode == 0


@pytest.mark.skipif(not user_manager(), reason="no systemd user manager here (a container): "
                    "the unit's restrictions cannot be tried; the program's own filter is "
                    "tried in test_offline.py")
def test_under_the_units_restrictions_no_internet_socket_can_be_opened(tmp_path):
    """What the unit itself enforces, tried for real in a user manager: the unit's own
    restriction lines, with a probe for the command."""
    text = unit_text(ROOT / "config.yaml", python=sys.executable)
    wanted = ("RestrictAddressFamilies", "NoNewPrivileges", "LockPersonality",
              "RestrictNamespaces", "RestrictSUIDSGID", "SystemCallArchitectures")
    properties = [line for line in text.splitlines() if line.split("=")[0] in wanted]
    probe = ("import socket\n"
             "socket.socket(socket.AF_UNIX).close()\n"
             "try:\n    socket.socket(socket.AF_INET)\nexcept OSError:\n    print('refused')\n")
    done = subprocess.run(["systemd-run", "--user", "--wait", "--pipe", "--quiet",
                           *[f"--property={p}" for p in properties], sys.executable, "-c",
                           probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "refused", done.stderr
