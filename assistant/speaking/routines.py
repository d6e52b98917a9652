"""The routines: each rendered ahead, for this user and this moment, into a Program."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from ..settings import Config, Step, is_example
from ..sound import OUT_RATE
from .pacer import breathing
from .timeline import LEAD_IN, Builder, Program
from .voice import Voice
from .words import fill, fill_values

#: Each digit said as a word, so none is lost in a quick run of numbers.
DIGITS = dict(zip("0123456789", ("zero", "one", "two", "three", "four", "five", "six", "seven",
                                 "eight", "nine")))
#: What each intent does, as the list of phrases says it ("To pause everything, say: ...").
PURPOSES = {
    "pause": "To pause everything", "help": "To hear your safety plan and your people",
    "breathe": "To breathe together", "body_scan": "For a body scan",
    "ground": "To notice where you are", "resume": "To go back to what was stopped",
    "quiet": "For quiet", "slower": "To slow down", "faster": "To speed up",
    "skip": "To pass a part of the body scan", "repeat": "To hear a step again",
    "next": "To move on to the next step", "what_can_i_say": "To hear this list again",
}


def script(name: str, steps: tuple[Step, ...], *, voice: Voice, values: dict[str, str],
           skip: tuple[str, ...] = (), wait_scale: float = 1.0) -> Program:
    b = Builder(voice)
    b.add(np.zeros(int(LEAD_IN * OUT_RATE), np.float32))
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
    """A phone number as people read it out: in the groups it is written in, each digit a
    word ("0808 2000 247": "zero eight zero eight, two zero zero zero, two four seven"). A
    number written in one piece is read in threes and fours, as it would be written."""
    groups = [g for g in re.split(r"[\s\-./()]+", number.strip()) if g]
    if len(groups) == 1 and len(groups[0].lstrip("+")) > 4:
        digits, head = groups[0], len(groups[0]) - 4
        sizes = [3] * (head // 3) or [head]
        for i in range(head % 3 if head >= 3 else 0):
            sizes[i % len(sizes)] += 1
        cuts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
        groups = [digits[a:b] for a, b in zip(cuts, cuts[1:])] + [digits[head:]]
    words = [" ".join("plus" if c == "+" else DIGITS[c] for c in g if c.isdigit() or c == "+")
             for g in groups]
    return ", ".join(w for w in words if w)


def help_steps(config: Config) -> tuple[Step, ...]:
    """Safety first: the emergency number, the crisis line and the other public lines, then
    the people (never the example's), then the plan's reminders, then what this tool is
    and is not. In discreet mode the lines are called what the person chose (``say_as``),
    and the disclaimer is left to the screen."""
    steps = []
    e = config.emergency
    if e and any(c.isdigit() for c in e.phone):
        steps.append(Step(f"If you are in danger right now, call {spell_phone(e.phone)}. "
                          f"{e.note}".strip(), 1.5))
    for line in ((config.crisis_line,) if config.crisis_line else ()) + config.lines:
        phone = f" {spell_phone(line.phone)}." if line.phone else ""
        name = line.spoken_name(config.discreet).rstrip(".")
        steps.append(Step(f"{name}.{phone} {line.note}".strip(), 1.5))
    people = [c for c in config.contacts if not is_example(c)]
    if people:
        steps.append(Step("Here are the people you chose to reach out to. I will not call "
                          "anyone; you decide.", 1.0))
    for c in people:
        name = c.spoken_name(config.discreet)
        who = f"{name}, {c.relation}." if c.relation else f"{name}."
        phone = f" Their number is {spell_phone(c.phone)}." if c.phone else ""
        note = f" {c.note}" if c.note else ""
        steps.append(Step(who + phone + note, 1.5))
    for reminder in config.reminders:
        steps.append(Step(reminder, 1.5))
    if config.disclaimer and not config.discreet:
        steps.append(Step(config.disclaimer, 0.5))
    return tuple(steps)


def quoted(phrases: tuple[str, ...]) -> str:
    return ", or: ".join(phrases)


def phrase_steps(config: Config) -> tuple[Step, ...]:
    """The user's own phrases, grouped by what they do, for ``what_can_i_say``."""
    steps = [Step("Here is what you can say.", 0.5)]
    for intent, phrases in config.words.items():
        purpose = PURPOSES.get(intent) or f"For {intent.replace('_', ' ')}"
        steps.append(Step(f"{purpose}, say: {quoted(phrases)}.", 0.7))
    steps.append(Step("You can say any of them at any time.", 0.0))
    return tuple(steps)


def render(name: str, config: Config, voice: Voice, *, now: dt.datetime | None = None,
           **options: Any) -> Program:
    """Render routine ``name`` for ``config`` at time ``now``."""
    values = fill_values(config, now or dt.datetime.now())
    if name == "breathing":
        return breathing(config.breathing, voice=voice, values=values, **options)
    if name == "help":
        return script(name, help_steps(config), voice=voice, values=values)
    if name == "phrases":
        return script(name, phrase_steps(config), voice=voice, values=values)
    skip = config.skip_regions if name == "body_scan" else ()
    return script(name, config.scripts[name], voice=voice, values=values, skip=skip, **options)


def render_all(config: Config, voice: Voice, *, now: dt.datetime | None = None) -> list[Program]:
    """Every routine rendered once (which also leaves every sentence in ``voice``'s cache)."""
    return [render(name, config, voice, now=now) for name in config.routines]

