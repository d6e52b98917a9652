"""Learning the ear while the assistant already listens.

The two-stage engine works from the first moment, but in a noisy room its
quick stages miss many phrases, and its voice stops on a pause phrase at once
only when a quick stage hears it. The ear (an embedding classifier of every
phrase, ``recognisers.learned_ear``) hears most real voices; it takes a few
minutes to learn, once per set of phrases.
So the first time, ``grounding learn`` runs in a process of its own at the
lowest priority (the live loop keeps the processor it needs), and the ear joins
the running recogniser when it is ready. Stopped half-way, learning goes on
from its last finished step next time.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from ..hearing.base import Recogniser
from ..recognisers import learned_ear
from ..settings import Config


class Learner:
    """``grounding learn`` for ``config``'s phrases, in the background. ``ready`` is
    set once it has ended: then ``ear`` is the ear (built on this object's thread, so that
    the loop that hears the microphone never waits for it), or ``failed`` says why not."""

    def __init__(self, config: Config, store: Path):
        self.config, self.store = config, store
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "learn", "--background",
             "--config", str(config.path.resolve())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, env=os.environ | {"GROUNDING_DATA": str(store)})
        self.ready = threading.Event()
        self.ear: Recogniser | None = None
        self.failed = ""
        threading.Thread(target=self._follow, name="learner", daemon=True).start()

    def _follow(self) -> None:
        last = ""
        for line in self.process.stderr or ():
            last = line.strip() or last
        code = self.process.wait()
        if code == 0:
            self.ear = learned_ear(self.config, store=self.store)
        if self.ear is None:
            self.failed = f"{last} (exit {code})" if last else f"exit {code}"
        self.ready.set()

    def stop(self) -> None:
        """End the learning (it goes on from its last finished step next time)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
