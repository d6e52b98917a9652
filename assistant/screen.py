"""What a person sees while it runs: one calm status area, redrawn in place.

On a terminal (rich): listening, or the routine playing with a progress bar and the time
left, and in breathing the phase with a bar that grows on the breath in and shrinks on the
breath out. With no terminal (a service, a pipe) a plain line for each change instead.
Messages (a device lost, a reload) are printed above the status area.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from .deciding.assistant import Assistant
from .deciding.state import State
from .speaking.pacer import PHASES

#: Redraws a second at most: calm, and cheap for a small computer.
FPS = 8
TITLES = {"pause": "Pause", "help": "Help: your people and your plan",
          "phrases": "What you can say", "body_scan": "Body scan", "ground": "Grounding",
          "breathing": "Breathing"}
PHASE_WORDS = {"inhale": "breathe in", "hold": "hold", "exhale": "breathe out"}


@dataclass(frozen=True)
class Status:
    """A snapshot of what the assistant is doing."""

    routine: str = ""
    """The routine playing (empty: listening)."""
    held: bool = False
    """Stopped a moment to check a phrase."""
    seconds: float = 0.0
    """Seconds into the routine."""
    total: float = 0.0
    section: str = ""
    phase: str = ""
    """Breathing: inhale, hold or exhale."""
    fullness: float = 0.0
    """Breathing: 0 (breathed out) to 1 (breathed in)."""


def status_of(assistant: Assistant) -> Status:
    running = assistant.running
    if running is None or assistant.state is State.IDLE:
        return Status()
    program, rate = running.program, assistant.player.rate
    pos = assistant.player.position
    section = program.marks[program.section_at(pos)] if program.marks else None
    phase, fullness = "", 0.0
    if program.phases and section is not None and section.label.startswith("breath"):
        t = (pos - section.start) / rate
        phase, fullness = "exhale", 0.0  # past the end of the last phase (rounding)
        for index, (name, length) in enumerate(zip(PHASES, program.phases)):
            if 0 <= t < length:
                part = t / length
                phase, fullness = name, (part, 1.0, 1.0 - part, 0.0)[index]
                break
            t -= length
    return Status(program.name, assistant.state is State.HELD, pos / rate, program.seconds,
                  section.label if section else "", phase, fullness)


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def title(routine: str) -> str:
    return TITLES.get(routine) or routine.replace("_", " ").capitalize()


def beside(bar: ProgressBar, label: Text) -> Table:
    """A bar with its label in a column of its own after it."""
    grid = Table.grid(padding=(0, 2))
    grid.add_row(bar, label)
    return grid


class Screen:
    """The status area on ``stream``; a terminal gets the redrawn area, anything else plain
    lines. ``engine`` is named while listening (what it hears with, or that it only writes
    a file)."""

    def __init__(self, stream: TextIO, *, engine: str, discreet: bool = False):
        self.console = Console(file=stream, highlight=False)
        self.engine = engine
        self.discreet = discreet  # no routine names on the screen
        self.live: Live | None = None
        self.shown: Status | None = None
        self.drawn = 0.0
        self.last_line = ""
        if self.console.is_terminal:
            self.live = Live(self.draw(Status()), console=self.console, auto_refresh=False,
                             transient=True, redirect_stdout=False, redirect_stderr=False)
            self.live.start()

    def message(self, text: str) -> None:
        """A sentence the person should read, above the status area."""
        if self.live is not None:
            self.live.console.print(text)
        else:
            self.console.print(text, soft_wrap=True)

    def update(self, status: Status) -> None:
        if self.live is None:
            self.plain(status)
            return
        now = time.monotonic()
        if status == self.shown or (now - self.drawn < 1 / FPS and
                                    status.routine == (self.shown and self.shown.routine)):
            return
        self.shown, self.drawn = status, now
        self.live.update(self.draw(status), refresh=True)

    def plain(self, status: Status) -> None:
        """One line when what it does changes (never the breath by breath)."""
        if status.held:
            return
        named = "" if self.discreet else f": {title(status.routine)}"
        line = (f"Playing{named} ({clock(status.total)})."
                if status.routine else f"Listening ({self.engine}).")
        if line != self.last_line:
            self.last_line = line
            self.console.print(line, soft_wrap=True)

    def draw(self, status: Status) -> Group:
        if not status.routine:
            return Group(Text.assemble(("● ", "green"), "Listening", (f"  ·  {self.engine}",
                                                                      "dim")))
        # A routine: its name, the time left, its progress, and the breath or the part.
        left = status.total - status.seconds
        head = Text.assemble(("▶ " if not status.held else "‖ ", "cyan"),
                             self.title(status.routine),
                             ("   " + (f"{clock(left)} left" if not status.held
                                       else "a moment…"), "dim"))
        bar = ProgressBar(total=max(status.total, 0.01), completed=status.seconds, width=40)
        # The routine's part only where it says nothing of what the routine is.
        label = status.section if status.phase or not self.discreet else ""
        parts: list = [head, beside(bar, Text(label if not status.phase else "", style="dim"))]
        if status.phase:
            breath = ProgressBar(total=1.0, completed=status.fullness, width=40,
                                 complete_style="blue", finished_style="blue")
            parts.append(beside(breath, Text(PHASE_WORDS[status.phase], style="bold blue")))
        return Group(*parts)

    def title(self, routine: str) -> str:
        return "Playing" if self.discreet else title(routine)

    def close(self) -> None:
        """The status area goes; the messages above it stay."""
        if self.live is not None:
            self.live.stop()
            self.live = None
