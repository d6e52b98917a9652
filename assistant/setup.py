"""``grounding setup``: the few things that matter, asked in plain words and written into
``config.yaml`` with its comments kept (ruamel.yaml's round trip).

Enter keeps what is already there. The file is written beside itself and renamed into
place, the one before kept as ``config.yaml.before-setup``; if the result does not pass the
checks, the old file is put back and the reason said.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from .config import ConfigError, is_example_number, load, normalise_phrase

Ask = Callable[[str], str]
Say = Callable[[str], None]


class SetupError(Exception):
    """The answers could not be used; one sentence."""


def still_the_example(path: Path) -> bool:
    """Whether ``path`` still holds the example's people (so ``setup`` should run first)."""
    try:
        config, _ = load(path)
    except ConfigError:
        return False  # a file of the user's own that needs fixing; ``check`` says how
    return any(is_example_number(p.phone) or "(example)" in p.name.lower()
               for p in config.contacts)


def ask_text(ask: Ask, question: str, current: str, *, say: Say = print,
             check: Callable[[str], str | None] = lambda answer: None) -> str:
    """The answer (or ``current`` on Enter), asked again while ``check`` names a problem."""
    while True:
        shown = f" [{current}]" if current else ""
        answer = ask(f"{question}{shown}: ").strip()
        if not answer:
            if current:
                return current
            answer = ""
        problem = check(answer)
        if problem is None:
            return answer
        say(problem)


def a_phrase(answer: str) -> str | None:
    return None if normalise_phrase(answer) else "Please give a few words (letters, not " \
        "only signs)."


def a_number(answer: str) -> str | None:
    return None if any(c.isdigit() for c in answer) else "Please give the number in digits."


def run_setup(path: Path, ask: Ask = input, say: Say = print) -> list[str]:
    """Ask, write ``path``, check it; returns what changed (for the summary)."""
    yaml = YAML()  # round trip: comments, order and quotes stay as they were
    yaml.preserve_quotes = True
    yaml.width = 4096  # long sentences stay on their line
    yaml.indent(mapping=2, sequence=4, offset=2)  # as the shipped file is laid out
    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SetupError(f"{path}: cannot be read for setup ({exc}).") from None
    changed: list[str] = []

    def put(section: Any, key: Any, value: str, label: str) -> None:
        if section.get(key) != value:
            section[key] = Quoted(value)  # quoted: a number such as 0712345678 stays text
            changed.append(label)

    say("A few questions to make this assistant yours. Press Enter to keep what is in "
        f"[brackets]. You can change anything later in {path}.")
    user = data["user"]
    put(user, "name", ask_text(ask, "What name should it use for you?", str(user["name"])),
        "your name")
    anchors = user.get("anchors") or {}
    for key in list(anchors):
        put(anchors, key, ask_text(ask, f"Your {key.replace('_', ' ')}", str(anchors[key])),
            key.replace("_", " "))
    words = data["listen"]["words"]
    for intent, what in (("pause", "stop everything and pause"),
                         ("help", "hear your people and your plan")):
        phrases = words[intent]
        answer = ask_text(ask, f"The words that {what}", str(phrases[0]), check=a_phrase, say=say)
        if answer != phrases[0]:
            phrases[0] = Quoted(answer)
            changed.append(f"your {intent} phrase")
    contacts = data["contacts"]
    emergency = contacts["emergency"]
    put(emergency, "phone", ask_text(ask, "The emergency number where you live",
                                     str(emergency.get("phone", "")), check=a_number, say=say),
        "the emergency number")
    crisis = contacts.get("crisis_line")
    if crisis is not None:
        put(crisis, "name", ask_text(ask, "A crisis line you would call", str(crisis["name"])),
            "the crisis line")
        put(crisis, "phone", ask_text(ask, "Its number", str(crisis.get("phone", "")),
                                      check=a_number, say=say), "the crisis line's number")
    people = CommentedSeq()
    say("Now the people you would like help to read out (it never calls anyone). "
        "Press Enter on an empty name when done.")
    while len(people) < 10:
        name = ask(f"Person {len(people) + 1}, their name: ").strip()
        if not name:
            break
        person = CommentedMap(name=Quoted(name))
        relation = ask("Who they are to you (e.g. my sister), or Enter: ").strip()
        if relation:
            person["relation"] = Quoted(relation)
        person["phone"] = Quoted(ask_text(ask, "Their number", "", check=a_number, say=say))
        note = ask("A note to read with it (e.g. call any time), or Enter: ").strip()
        if note:
            person["note"] = Quoted(note)
        people.append(person)
    if people:
        contacts["people"] = people
        changed.append("your people")
    if changed:
        write(path, yaml, data)
    return changed


def write(path: Path, yaml: YAML, data: Any) -> None:
    """Written beside it, then renamed into place; the one before kept; put back if the new
    one does not pass the checks."""
    before = path.with_name(path.name + ".before-setup")
    shutil.copy2(path, before)
    part = path.with_name(f".{path.name}.part")
    with open(part, "w", encoding="utf-8") as out:
        yaml.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)
    try:
        load(path)
    except ConfigError as exc:
        os.replace(before, path)
        raise SetupError(f"Those answers could not be used, so {path} is as it was: "
                         f"{exc.problems[0]}") from None
