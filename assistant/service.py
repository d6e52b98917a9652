"""``grounding service install | status | remove``: always there, started at login.

A systemd user unit that starts ``grounding run`` once the sound server is up and restarts
it if it fails. What it enforces is only what a per-user systemd manager can: no socket
families but local ones (``RestrictAddressFamilies``, a seccomp filter systemd installs for
the process, which a user manager may do since ``NoNewPrivileges`` is set), beside the
program's own seccomp filter (``offline.py``). Settings that need a privileged manager
(``IPAddressDeny``'s BPF firewall) or name system units (``sound.target``) would do nothing
here, and are left out. Where the session has no systemd user manager (a container), the
unit is written and the one command that enables it is said.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

NAME = "grounding.service"


class ServiceError(Exception):
    """The unit cannot be written or removed; one sentence."""


def unit_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user" / NAME


def unit_text(config: Path, *, python: str = sys.executable) -> str:
    """The unit for ``config`` (an absolute path), run by ``python``."""
    project = Path(__file__).resolve().parent.parent
    return f"""\
# Written by `grounding service install`; `grounding service remove` takes it away.
[Unit]
Description=Grounding assistant (offline; listens only for your own words)
Documentation=file://{project / "README.md"}
# The microphone and speaker come from the sound server (a user service): start after it.
After=pipewire.service pipewire-pulse.service pipewire-pulse.socket pulseaudio.service \
pulseaudio.socket
StartLimitIntervalSec=300
StartLimitBurst=10

[Service]
Type=simple
ExecStart={python} -m assistant run --service --config {config}
WorkingDirectory={project}
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=5
# No network, whatever any library tries (it also shuts it off itself, with seccomp): no
# socket but local ones (the sound server) and netlink (devices).
RestrictAddressFamilies=AF_UNIX AF_NETLINK
# Nothing more than it needs. (MemoryDenyWriteExecute is left off: the sound library's
# callbacks need memory that is written and then run.)
NoNewPrivileges=yes
LockPersonality=yes
RestrictNamespaces=yes
RestrictSUIDSGID=yes
SystemCallArchitectures=native
UMask=0077

[Install]
WantedBy=default.target
"""


def systemctl(*args: str) -> subprocess.CompletedProcess | None:
    """``systemctl --user ARGS``, or None where there is no user manager to ask."""
    if shutil.which("systemctl") is None:
        return None
    done = subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True)
    reason = (done.stderr or "").lower()
    if done.returncode != 0 and ("bus" in reason or "no medium" in reason
                                 or "not been booted" in reason):
        return None
    return done


def install(config: Path) -> str:
    """Write and enable the unit; what happened, in a sentence."""
    path = unit_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(unit_text(config.resolve()), encoding="utf-8")
    except OSError as exc:
        raise ServiceError(f"{path}: cannot be written ({exc.strerror}).") from None
    if systemctl("daemon-reload") is None:
        return (f"Wrote {path}. This session has no systemd user manager, so enable it from "
                f"a login session with: systemctl --user enable --now {NAME}")
    done = systemctl("enable", "--now", NAME)
    if done is None or done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [""])[-1] if done else ""
        raise ServiceError(f"Wrote {path}, but systemd could not start it: {detail}")
    return (f"Installed and started: it now starts at login and restarts if it fails. "
            f"'grounding service status' shows how it is; logs: journalctl --user -u {NAME}")


def status() -> str:
    path = unit_path()
    if not path.exists():
        return "Not installed ('grounding service install' sets it up)."
    done = systemctl("status", "--no-pager", "--lines=5", NAME)
    if done is None:
        wanted = path.parent / "default.target.wants" / NAME
        return (f"Installed ({path}), {'enabled' if wanted.exists() else 'not enabled'}; this "
                "session has no systemd user manager to say whether it runs.")
    return done.stdout.strip() or done.stderr.strip()


def remove() -> str:
    path = unit_path()
    if not path.exists():
        return "It was not installed."
    if systemctl("daemon-reload") is not None:
        systemctl("disable", "--now", NAME)
    try:
        path.unlink()
        (path.parent / "default.target.wants" / NAME).unlink(missing_ok=True)
    except OSError as exc:
        raise ServiceError(f"{path}: cannot be removed ({exc.strerror}).") from None
    systemctl("daemon-reload")
    return f"Removed {path}; it no longer starts at login."
