"""Reading ``config.yaml`` into the settings' dataclasses, once, at the edge.

The file is read with the line of every key, refused in one sentence per problem (file,
key path, line) where it does not fit what the fields allow (``schema.py``) or does not
make sense (``meaning.py``), and built field by field from the same descriptions.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from .meaning import check_meaning
from .model import Config, ConfigError, Step
from .schema import Checker, schema_of


def load(path: str | Path) -> tuple[Config, list[str]]:
    """Load and check a configuration; returns it with any warnings.

    Raises ``ConfigError`` with every problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: the configuration file does not exist."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({exc})."]) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                plain_tree(node, path)  # before anything is built from it
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([f"{path}:{line}: is not valid YAML ({reason})."]) from None
    except RecursionError:
        raise ConfigError([f"{path}:1: is nested too deeply to be a configuration."]) from None
    if data is None:
        raise ConfigError([f"{path}:1: the file is empty."])
    checker = Checker(path, line_map(node) if node is not None else {})
    if not checker.check(data, schema_of(Config), ()):
        raise ConfigError(checker.problems)
    config = build(Config, data, path, path=path, line_numbers=checker.lines)
    check_meaning(config, data, checker)
    if checker.problems:
        raise ConfigError(checker.problems)
    return config, checker.warnings



def build(cls: type, data: dict, file: Path | None = None, **given: Any) -> Any:
    """A settings dataclass from what the file holds for it (already checked): each field
    from its key, read as its ``read`` says or as its type does; absent ones keep their
    default (each default is written once, in the dataclass)."""
    hints = typing.get_type_hints(cls)
    values = dict(given)
    for f in dataclasses.fields(cls):
        key = f.metadata.get("key")
        if not key:
            continue
        found: Any = data
        for part in key:
            found = found.get(part, ABSENT) if isinstance(found, dict) else ABSENT
        if found is ABSENT:
            continue
        read = f.metadata.get("read") or READERS.get(f.metadata.get("kind", ""))
        values[f.name] = read(found, file) if read else convert(found, hints[f.name], file)
    return cls(**values)


ABSENT = object()


def convert(value: Any, annotation: Any, file: Path | None) -> Any:
    """``value`` as the type ``annotation`` holds it."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is float:
        return float(value)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return build(annotation, value, file)
    if origin is tuple:
        return tuple(convert(v, args[0], file) for v in value)
    if origin is dict:
        return {k: convert(v, args[1], file) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType) and value is not None:
        inner = [a for a in args if a is not type(None)]
        return convert(value, inner[0], file) if len(inner) == 1 else value
    return value  # text, numbers, true/false, one of a few words, a device


def read_scripts(routines: dict, file: Path | None) -> dict[str, tuple[Step, ...]]:
    """The steps of every routine made of steps: the pause, grounding, the body scan's and
    the user's own."""
    steps = {name: value for name, value in routines.items() if name != "breathing"}
    steps["body_scan"] = steps.get("body_scan", {}).get("steps", [])
    return {name: tuple(build(Step, s, file) for s in steps.get(name, []))
            for name in ("pause", "ground", "body_scan")} | {
        name: tuple(build(Step, s, file) for s in value) for name, value in steps.items()
        if name not in ("pause", "ground", "body_scan")}


#: Readers of groups whose reading is written out (``setting(kind=...)``).
READERS = {"routines": read_scripts}


def line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map each key path in a composed YAML tree to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            line_map(value_node, child, out)
            out[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_map(item, path + (i,), out)
    return out


def plain_tree(node: yaml.Node, path: Path) -> None:
    """Refuse what YAML allows but a hand-edited settings file never needs, before anything
    is built from it: a key written twice in one group (the second would silently replace
    the first, say a pause phrase), and aliases (``*name``), which can repeat a part of the
    file without limit (a few lines can expand to gigabytes)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            raise ConfigError([f"{path}:{item.start_mark.line + 1}: this part is repeated "
                               "elsewhere with a YAML alias (*name); write it out instead."])
        seen.add(id(item))
        if isinstance(item, yaml.MappingNode):
            keys: dict[Any, int] = {}
            for key, value in item.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else id(key)
                line = key.start_mark.line + 1
                if name in keys:
                    raise ConfigError([f"{path}:{line}: '{name}' is written twice in the same "
                                       f"group (also on line {keys[name]}); keep one."])
                keys[name] = line
                stack += [key, value]
        elif isinstance(item, yaml.SequenceNode):
            stack += item.value


