"""``grounding run`` live in a room (``pulse.py``), for the tests and the benchmarks: started
and waited for until it says it is listening, its event log read as it grows, and Ctrl-C
when done."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .pulse import Room

#: Fields of ``/proc/<pid>/stat`` after the command's name: the parent, the priority (nice).
PARENT, NICE = 1, 16


def stat_field(task: Path, index: int) -> int | None:
    """A number from a process's (or thread's) ``stat`` file; None if it has just ended."""
    try:
        return int((task / "stat").read_text().rpartition(")")[2].split()[index])
    except (OSError, ValueError, IndexError):
        return None


class Running:
    def __init__(self, room: Room, config: Path, folder: Path, env: dict | None = None, *,
                 patience: float = 300.0):
        self.events = folder / "events.jsonl"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--config", str(config),
             "--events", str(self.events)], env=room.env | (env or {}), cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            # Ctrl-C as in a terminal, even when this runs in the background (a shell starts
            # background jobs with SIGINT ignored, and children inherit that).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert self.process.stderr is not None
        self.said: list[str] = []  # what it wrote on the screen
        deadline = time.monotonic() + patience
        for line in self.process.stderr:  # "Listening. ..." once the streams are open
            if line.startswith("Listening"):
                break
            self.said.append(line)
            if time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"it did not start listening within {patience:.0f} s: "
                                   + "".join(self.said)[-2000:])
        else:
            raise RuntimeError(f"it ended before listening (exit {self.process.wait()}): "
                               + "".join(self.said)[-2000:])
        # Keep reading what it says, so a full pipe can never hold it up.
        threading.Thread(target=lambda: self.said.extend(self.process.stderr or []),
                         daemon=True).start()

    def children(self) -> list[tuple[int, str]]:
        """Its child processes: pid and command line."""
        found = []
        for task in Path("/proc").glob("[0-9]*"):
            if stat_field(task, PARENT) == self.process.pid:
                try:
                    line = (task / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue  # gone meanwhile
                found.append((int(task.name), line))
        return found

    def log(self) -> list[dict]:
        lines = self.events.read_text().splitlines() if self.events.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def triggers(self) -> list[str]:
        return [e["intent"] for e in self.log() if e["event"] == "trigger"]

    def wait_for(self, kind: str, count: int, timeout: float = 20.0) -> bool:
        """Until ``count`` events of ``kind`` are in the log (or ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if [e["event"] for e in self.log()].count(kind) >= count:
                return True
            time.sleep(0.2)
        return False

    def stop(self, patience: float = 20.0) -> int:
        """Ctrl-C; its exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(patience)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise RuntimeError(f"Ctrl-C did not stop it within {patience:.0f} s; it said: "
                               + "".join(self.said)[-2000:]) from None
