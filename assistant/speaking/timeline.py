"""Routines laid on one timeline: sound with a mark where each section begins.

A ``Program`` is everything a routine will say, already synthesised and laid
on one timeline, with a mark where each section (or breath) begins. Pausing,
resuming, skipping and repeating are just moves between marks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..sound import OUT_RATE
from .voice import Voice

#: A calm beat of silence before any routine speaks, so a cut-off is audible.
LEAD_IN = 0.3
#: Three or more digits said one by one (a phone number, as ``spell_phone`` writes it).
DIGIT = r"(?:zero|one|two|three|four|five|six|seven|eight|nine|plus)"
NUMBER = re.compile(rf"\b{DIGIT}(?:[ ,]+{DIGIT}\b){{2,}}")
#: Seconds of quiet around a number, and between its groups, so each can be written down.
NUMBER_PAUSE, GROUP_PAUSE = 0.15, 0.25


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
    phases: tuple[float, ...] = ()
    """Breathing: seconds of inhale, hold, exhale, hold in each ``breath`` section."""

    @property
    def seconds(self) -> float:
        return len(self.sound) / OUT_RATE

    def section_at(self, pos: int) -> int:
        """Index of the mark whose section holds sample ``pos``."""
        index = 0
        for i, mark in enumerate(self.marks):
            if mark.start <= pos:
                index = i
        return index

    def timeline(self) -> list[tuple[float, str, str]]:
        return [(m.start / OUT_RATE, m.label, m.text) for m in self.marks]

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
                                  for m in other.marks[index:]], other.phases)


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
        """``text`` said: as the person recorded it, if they did (``takes.py``); else by
        the voice, a phone number in it slower and clearer, group by group, with a short
        pause around it and between its groups."""
        take = self.voice.take(text)
        if take is not None:
            self.add(take)
            return
        at = 0
        for number in NUMBER.finditer(text):
            self.words(text[at:number.start()])
            self.silence(NUMBER_PAUSE)
            for i, group in enumerate(number.group().split(",")):
                if i:
                    self.silence(GROUP_PAUSE)
                self.add(self.voice.say(group, clear=True))
            self.silence(NUMBER_PAUSE)
            at = number.end()
        self.words(text[at:])

    def words(self, text: str) -> None:
        if text.strip(" ,.;:"):
            self.add(self.voice.say(text))

    def silence(self, seconds: float) -> None:
        self.add(np.zeros(int(round(seconds * OUT_RATE)), dtype=np.float32))

    def program(self, name: str) -> Program:
        sound = np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)
        return Program(name, sound, self.marks)

