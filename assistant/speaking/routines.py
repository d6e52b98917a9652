"""The routines: each rendered ahead, for this user and this moment, into a Program."""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..config import Config, Step
from ..sound import OUT_RATE
from .pacer import breathing
from .timeline import LEAD_IN, Builder, Program
from .voice import Voice
from .words import fill, fill_values

ROUTINES = ("pause", "help", "breathing", "body_scan", "ground")


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
           **options: Any) -> Program:
    """Render routine ``name`` for ``config`` at time ``now``."""
    values = fill_values(config, now or dt.datetime.now())
    if name == "breathing":
        return breathing(config.breathing, voice=voice, values=values, **options)
    if name == "help":
        return script(name, help_steps(config), voice=voice, values=values)
    skip = config.skip_regions if name == "body_scan" else ()
    return script(name, config.scripts[name], voice=voice, values=values, skip=skip, **options)


def render_all(config: Config, voice: Voice, *, now: dt.datetime | None = None) -> list[Program]:
    """Every routine rendered once (which also leaves every sentence in ``voice``'s cache)."""
    return [render(name, config, voice, now=now) for name in ROUTINES]

