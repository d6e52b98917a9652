"""Routines rendered ahead into one continuous sound with marked sections.

A ``Program`` is everything a routine will say, already synthesised and laid
on one timeline, with a mark where each section (or breath) begins. Pausing,
resuming, skipping and repeating are just moves between marks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .audio import OUT_RATE
from .config import Config, Step
from .voice import Voice

#: What each routine-starting intent plays.
ROUTINE_OF_INTENT = {"pause": "pause", "help": "help", "breathe": "breathing",
                     "body_scan": "body_scan", "ground": "ground"}
ROUTINES = ("pause", "help", "breathing", "body_scan", "ground")
RATE = OUT_RATE


@dataclass(frozen=True)
class Mark:
    start: int
    """Sample where the section begins."""
    label: str
    """What the section is: a region, a step number, ``cycle 3``."""
    text: str = ""
    """The words said in it."""
    region: str = ""


@dataclass
class Program:
    name: str
    sound: np.ndarray
    marks: list[Mark] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.sound) / RATE

    def section_at(self, pos: int) -> int:
        """Index of the mark whose section holds sample ``pos``."""
        index = 0
        for i, mark in enumerate(self.marks):
            if mark.start <= pos:
                index = i
        return index

    def timeline(self) -> list[tuple[float, str, str]]:
        return [(m.start / RATE, m.label, m.text) for m in self.marks]

    def splice(self, index: int, other: Program) -> Program:
        """This program up to mark ``index``, then ``other`` from its mark ``index`` on.

        Used to change pace or pauses from the next section without a jump in what
        is playing now; both programs must have the same sections.
        """
        cut, join = self.marks[index].start, other.marks[index].start
        shift = cut - join
        return Program(
            self.name, np.concatenate([self.sound[:cut], other.sound[join:]]),
            self.marks[:index] + [Mark(m.start + shift, m.label, m.text, m.region)
                                  for m in other.marks[index:]])


def fill_values(config: Config, now: dt.datetime) -> dict[str, str]:
    hour = now.hour
    part = ("night" if hour < 5 else "morning" if hour < 12 else "afternoon" if hour < 17
            else "evening" if hour < 22 else "night")
    day = now.day
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    clock = now.strftime("%I:%M").lstrip("0") + (" a m" if hour < 12 else " p m")
    return {"name": config.name, "weekday": now.strftime("%A"),
            "date": f"{now.strftime('%A')} the {day}{suffix} of {now.strftime('%B')}",
            "time": clock, "time_of_day": part, "month": now.strftime("%B"),
            "year": str(now.year)} | dict(config.anchors)


def fill(text: str, values: dict[str, str]) -> str:
    """Placeholders filled in; text with none (or stray braces, as in a note) stays as it is."""
    try:
        return text.format_map(values)
    except (KeyError, ValueError, IndexError):
        return text


class Builder:
    """Lays speech and silence end to end on one timeline."""

    def __init__(self, voice: Voice):
        self.voice = voice
        self.parts: list[np.ndarray] = []
        self.length = 0
        self.marks: list[Mark] = []

    def section(self, label: str, text: str = "", region: str = "") -> None:
        self.marks.append(Mark(self.length, label, text, region))

    def add(self, sound: np.ndarray) -> None:
        self.parts.append(sound.astype(np.float32))
        self.length += len(sound)

    def speak(self, text: str) -> None:
        self.add(self.voice.say(text))

    def silence(self, seconds: float) -> None:
        self.add(np.zeros(int(round(seconds * RATE)), dtype=np.float32))

    def program(self, name: str) -> Program:
        sound = np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)
        return Program(name, sound, self.marks)


#: A calm beat of silence before any routine speaks, so a cut-off is audible.
LEAD_IN = 0.3


def script(name: str, steps: tuple[Step, ...], *, voice: Voice, values: dict[str, str],
           skip: tuple[str, ...] = (), wait_scale: float = 1.0) -> Program:
    b = Builder(voice)
    b.add(np.zeros(int(LEAD_IN * RATE), np.float32))
    for i, step in enumerate(steps):
        if step.region and step.region.lower() in skip:
            continue
        text = fill(step.say, values)
        b.section(step.region or f"step {i + 1}", text, step.region.lower())
        b.speak(text)
        if step.wait:
            b.silence(step.wait * wait_scale)
    return b.program(name)


def spell_phone(number: str) -> str:
    """Read a phone number digit by digit, in small groups, so it can be written down."""
    digits = [c for c in number if c.isdigit() or c == "+"]
    words = ["plus" if c == "+" else c for c in digits]
    groups = [" ".join(words[i:i + 3]) for i in range(0, len(words), 3)]
    return ", ".join(groups)


def help_steps(config: Config) -> tuple[Step, ...]:
    steps = [Step("Here are the people you chose to reach out to. I will not call anyone; "
                  "you decide.", 1.0)]
    for c in config.contacts:
        who = f"{c.name}, {c.relation}." if c.relation else f"{c.name}."
        phone = f" Their number is {spell_phone(c.phone)}." if c.phone else ""
        note = f" {c.note}" if c.note else ""
        steps.append(Step(who + phone + note, 1.5))
    if config.crisis_line:
        c = config.crisis_line
        steps.append(Step(f"{c.name}. {spell_phone(c.phone)}. {c.note}".strip(), 1.5))
    for reminder in config.reminders:
        steps.append(Step(reminder, 1.5))
    if config.disclaimer:
        steps.append(Step(config.disclaimer, 0.5))
    return tuple(steps)


def render(name: str, config: Config, voice: Voice, *, now: dt.datetime | None = None,
           **options) -> Program:
    """Render routine ``name`` for ``config`` at time ``now``."""
    values = fill_values(config, now or dt.datetime.now())
    if name == "breathing":
        from .pacer import breathing

        return breathing(config.breathing, voice=voice, values=values, **options)
    if name == "help":
        return script(name, help_steps(config), voice=voice, values=values)
    skip = config.skip_regions if name == "body_scan" else ()
    return script(name, config.scripts[name], voice=voice, values=values, skip=skip, **options)


def render_all(config: Config, voice: Voice, *, now: dt.datetime | None = None) -> list[Program]:
    """Every routine rendered once (which also leaves every sentence in ``voice``'s cache)."""
    return [render(name, config, voice, now=now) for name in ROUTINES]
