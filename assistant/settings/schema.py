"""What ``config.yaml`` may hold, derived from the settings' fields (``model.py``), and the
checker that names every problem with the file, key path and line.

A kind is a Python type (``str``, ``int``, ``float``, ``bool``), a ``Group`` of named
settings, a ``ListOf`` or ``MapOf`` something, a ``OneOf`` a few words, or ``DEVICE``.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from . import model
from .model import where


@dataclass(frozen=True)
class Group:
    """Named settings; ``rest`` is what any other key may hold (else it is not allowed)."""

    keys: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    rest: Any = None
    section: bool = False
    """Made by the keys' paths (``listen``, ``contacts``): required if a setting in it is."""

    def __hash__(self) -> int:
        return id(self)


@dataclass(frozen=True)
class ListOf:
    item: Any


@dataclass(frozen=True)
class MapOf:
    value: Any


@dataclass(frozen=True)
class OneOf:
    choices: tuple[str, ...]


DEVICE = "device"
TYPE_NAMES = {str: "text", float: "a number", int: "a whole number", bool: "true or false"}


def kind_of(annotation: Any) -> Any:
    """The kind a field of this type holds in the file."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (str, int, float, bool):
        return annotation
    if origin is Literal:
        return OneOf(tuple(args))
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if set(rest) == {str, int}:
            return DEVICE
        return kind_of(rest[0]) if rest[0] is not Path else str
    if origin is tuple:
        return ListOf(kind_of(args[0]))
    if origin is dict:
        return MapOf(kind_of(args[1]))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return schema_of(annotation)
    raise TypeError(f"no kind for {annotation!r}")


@cache
def schema_of(cls: type) -> Group:
    """The group a settings dataclass reads from: each field at its key (nested keys make
    nested groups), with the kind its type gives, or the one written out for it."""
    top = Group()
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f.metadata.get("key")
        if not key:
            continue
        kind = WRITTEN[f.metadata["kind"]]() if f.metadata.get("kind") else kind_of(hints[f.name])
        group = top
        for part in key[:-1]:
            inner = group.keys.get(part)
            if not isinstance(inner, Group):
                inner = group.keys[part] = Group(section=True)
            group = inner
        last = key[-1]
        if f.metadata.get("kind") or not isinstance(group.keys.get(last), Group):
            group.keys[last] = kind  # a group written out is never replaced by a part of it
        if f.metadata.get("required") and last not in group.required:
            object.__setattr__(group, "required", group.required + (last,))
    required_groups(top)
    return top


def required_groups(group: Group) -> None:
    """A section holding a required setting is required itself."""
    for key, kind in group.keys.items():
        if isinstance(kind, Group) and kind.section:
            required_groups(kind)
            if kind.required and key not in group.required:
                object.__setattr__(group, "required", group.required + (key,))


def routines() -> Group:
    """The ``routines`` group: the built-in routines' steps, the body scan's regions to
    leave out, breathing, and any number of routines of the user's own."""
    step = ListOf(schema_of(model.Step))
    return Group({"pause": step, "ground": step,
                  "body_scan": Group({"skip": ListOf(str), "steps": step}),
                  "breathing": schema_of(model.Breathing)}, rest=step)


#: Groups whose checking is written out rather than read off a type.
WRITTEN = {"routines": routines}


class Checker:
    """Collects problems with the file name, key path and line of each."""

    def __init__(self, path: Path, lines: dict[tuple, int]):
        self.path, self.lines = path, lines
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def where(self, path: tuple) -> str:
        return where(self.path, self.lines, path)

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(f"{self.where(path)}: {message}")

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(f"{self.where(path)}: {message}")

    def check(self, value: Any, kind: Any, path: tuple) -> bool:
        """True when ``value`` fits ``kind``; otherwise records why."""
        if value is None and kind != DEVICE:
            self.error(path, f"is empty; expected {describe(kind)}.")
            return False
        if isinstance(kind, Group):
            return self.group(value, kind, path)
        if isinstance(kind, ListOf):
            if not isinstance(value, list):
                self.error(path, f"should be a list, not {shown(value)}.")
                return False
            return all([self.check(v, kind.item, path + (i,)) for i, v in enumerate(value)])
        if isinstance(kind, MapOf):
            if not isinstance(value, dict):
                self.error(path, f"should be a group of named entries, not {shown(value)}.")
                return False
            return all([self.check(v, kind.value, path + (k,)) for k, v in value.items()])
        if isinstance(kind, OneOf):
            if value not in kind.choices:
                self.error(path, f"is {shown(value)}; use one of {', '.join(kind.choices)}.")
                return False
            return True
        if kind == DEVICE:
            if value is None or (isinstance(value, (str, int)) and not isinstance(value, bool)):
                return True
            self.error(path, f"should be a device name or number, not {shown(value)}.")
            return False
        fits = {
            str: isinstance(value, str),
            bool: isinstance(value, bool),
            int: isinstance(value, int) and not isinstance(value, bool),
            float: isinstance(value, (int, float)) and not isinstance(value, bool),
        }[kind]
        if not fits:
            self.error(path, f"should be {describe(kind)}, not {shown(value)}.")
        return fits

    def group(self, value: Any, kind: Group, path: tuple) -> bool:
        if not isinstance(value, dict):
            self.error(path, f"should be a group of settings, not {shown(value)}.")
            return False
        ok = True
        for key, item in value.items():
            if key in kind.keys:
                ok &= self.check(item, kind.keys[key], path + (key,))
            elif kind.rest is not None:
                ok &= self.check(item, kind.rest, path + (key,))
            else:
                self.error(path + (key,), f"is not a setting here; known settings are "
                           f"{', '.join(kind.keys)}.")
                ok = False
        for key in kind.required:
            if key not in value:
                self.error(path, f"is missing '{key}'.")
                ok = False
        return ok


def describe(kind: Any) -> str:
    if isinstance(kind, Group):
        return "a group of settings"
    if isinstance(kind, OneOf):
        return "one of " + ", ".join(kind.choices)
    if isinstance(kind, ListOf):
        return "a list"
    if isinstance(kind, MapOf):
        return "a group of named entries"
    if kind == DEVICE:
        return "a device"
    return TYPE_NAMES[kind]


def shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of settings"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return repr(value)
