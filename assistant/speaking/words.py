"""Placeholders in what the user wrote, filled with their own words and the present moment."""
from __future__ import annotations

import datetime as dt

from ..settings import PLACEHOLDER, Config


def fill_values(config: Config, now: dt.datetime) -> dict[str, str]:
    """What each placeholder stands for at ``now``: the name, anchors, day, date and time."""
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
    """``{name}``-style placeholders replaced by their values; anything else in braces (a
    stray brace in a note, an unknown name) stays as written. Only plain names are looked
    up: no attributes, no indexes, no format specifications."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
