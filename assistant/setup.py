"""``grounding setup``: the few things that matter, asked in plain words and written into
``config.yaml`` with its comments kept (ruamel.yaml's round trip).

Enter keeps what is already there. Nobody has to be listed: "no one for now" is an answer.
The numbers that belong to one country (the emergency number and its note, the crisis
line, the other public lines) are replaced together when the person lives elsewhere, never
left behind. The file is written beside itself and renamed into place, the one before kept
as ``config.yaml.before-setup``; if the result does not pass the checks, the old file is put
back and the reason said. Once asked, the first start does not ask again (``ASKED`` in the
data folder); ``grounding setup`` asks at any time.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

from .settings import ConfigError, is_example, is_example_number, load, normalise_phrase
from .store import write_private

Ask = Callable[[str], str]
Say = Callable[[str], None]

#: In the data folder once the first start has asked its questions.
ASKED = "setup-asked"
#: What each of the example's anchors is for, asked in these words.
ANCHORS = {
    "safe_place": "A place where you feel safe, to picture (the help routine offers it)",
    "safe_person": "A person who feels safe to you",
    "object": "Something you can hold that brings you back to now, like a smooth stone "
              "(the pause routine invites you to hold it)",
    "sound": "A sound that calms you",
}
#: What can help, chosen beforehand, for the message to a partner.
PARTNER = {
    "1": "What helps now is to stop, give some space, and stay nearby.",
    "2": "What helps now is to stop and leave the room for a while.",
    "3": "What helps now is to stop, and stay here quietly, without touching.",
}


class SetupError(Exception):
    """The answers could not be used; one sentence."""


def still_the_example(path: Path) -> bool:
    """Whether ``path`` still holds the example's people (so ``setup`` should run first)."""
    try:
        config, _ = load(path)
    except ConfigError:
        return False  # a file of the user's own that needs fixing; ``check`` says how
    return any(is_example(p) for p in config.contacts)


def first_time(path: Path, store: Path) -> bool:
    """Whether the first start should ask: never asked here, and the file is the example."""
    return not (store / ASKED).exists() and still_the_example(path)


def asked(store: Path) -> None:
    """The first start's questions have been asked (whatever the answers)."""
    write_private(store / ASKED, b"")


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


def yes(ask: Ask, question: str, *, default: bool = False) -> bool:
    answer = ask(f"{question} [{'Y/n' if default else 'y/N'}] ").strip().lower()
    return default if not answer else answer.startswith("y")


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
        f"[brackets]. You can change anything later in {path}, or run 'grounding setup' "
        "again.")
    user = data["user"]
    put(user, "name", ask_text(ask, "What name should it use for you?", str(user["name"])),
        "your name")
    anchors = user.get("anchors") or {}
    if anchors:
        say("Your anchors: things that help you feel here and now. The routines name them.")
    for key in list(anchors):
        question = ANCHORS.get(key, f"Your {key.replace('_', ' ')}")
        put(anchors, key, ask_text(ask, question, str(anchors[key])), key.replace("_", " "))
    phrases(data, ask, say, changed)
    place(data, ask, say, changed, put)
    people(data, ask, say, changed)
    discreet(data, ask, say, changed, put)
    partner(data, ask, say, changed)
    voice(data, ask, say, changed)
    if changed:
        write(path, yaml, data)
    return changed


def phrases(data: Any, ask: Ask, say: Say, changed: list[str]) -> None:
    say("Your words. Two or three words are heard far more reliably than one short word; "
        "words you would not say by chance in a conversation are best.")
    words = data["listen"]["words"]
    for intent, what in (("pause", "Words to stop everything at once and start your pause"),
                         ("help", "Words to hear your people and your plan")):
        phrases = words[intent]
        answer = ask_text(ask, what, str(phrases[0]), check=a_phrase, say=say)
        if answer != phrases[0]:
            phrases[0] = Quoted(answer)
            changed.append(f"your {intent} phrase")


def place(data: Any, ask: Ask, say: Say, changed: list[str],
          put: Callable[[Any, Any, str, str], None]) -> None:
    """Where the person lives: the emergency number and the public lines, replaced together
    (a note, a helpline or a line of one country is never left with another's number)."""
    contacts = data["contacts"]
    here = str(contacts.get("place", ""))
    answer = ask_text(ask, "Which country do you live in (for the emergency number and the "
                      "helplines)?", here)
    emergency = contacts["emergency"]
    if answer == here:
        put(emergency, "phone", ask_text(ask, "The emergency number there",
                                         str(emergency.get("phone", "")), check=a_number,
                                         say=say), "the emergency number")
        return
    contacts["place"] = Quoted(answer)
    changed.append("where you live")
    say(f"The numbers for {here or 'the example'} are taken out; give the ones for {answer}.")
    emergency["phone"] = Quoted(ask_text(ask, f"The emergency number in {answer}", "",
                                         check=a_number, say=say))
    emergency.pop("note", None)
    note = ask("Anything to say with it (e.g. what to do if you cannot speak), or Enter: ")
    if note.strip():
        emergency["note"] = Quoted(note.strip())
    contacts.pop("crisis_line", None)
    contacts.pop("lines", None)
    name = ask("A helpline you would call there (its name), or Enter for none: ").strip()
    if name:
        contacts["crisis_line"] = CommentedMap(
            name=Quoted(name), phone=Quoted(ask_text(ask, "Its number", "", check=a_number,
                                                     say=say)))
    changed.append("the emergency number and helplines")


def people(data: Any, ask: Ask, say: Say, changed: list[str]) -> None:
    """The people help reads out: any number, none for now included; the example's go when
    the person says so (they are never read out either way)."""
    contacts = data["contacts"]
    listed = list(contacts.get("people") or [])
    examples = [p for p in listed if is_example_number(str(p.get("phone", "")))
                or "(example)" in str(p.get("name", "")).lower()]
    say("The people you would like help to read out. It never calls anyone, and you can "
        "list no one for now.")
    if examples and yes(ask, "The " + " and ".join(str(p["name"]) for p in examples) +
                        " in the file are only examples. Take them out?", default=True):
        listed = [p for p in listed if p not in examples]
        changed.append("the example's people taken out")
    added = contacts.get("people")
    if added is None:
        added = contacts["people"] = CommentedSeq()
    for person in [p for p in added if p not in listed]:
        added.remove(person)  # in place: the comments around the list stay
    while len(added) < 10:
        nobody = "no one" if not added else "no one more"
        name = ask(f"Someone to add: their name (Enter for {nobody} for now): ").strip()
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
        added.append(person)
        changed.append(f"{name} added")


def discreet(data: Any, ask: Ask, say: Say, changed: list[str],
             put: Callable[[Any, Any, str, str], None]) -> None:
    """Discreet mode, for when someone else may overhear, and the names said aloud in it."""
    was = bool(data.get("discreet", False))
    say("Discreet mode is for when someone else may hear it: no greeting, nothing said when "
        "it starts, a quieter voice, no routine names on the screen, and your helplines "
        "read by names you choose.")
    now = yes(ask, "Use discreet mode?", default=was)
    if now != was:
        data["discreet"] = now
        changed.append("discreet mode " + ("on" if now else "off"))
    if not now:
        return
    contacts = data["contacts"]
    lines = [contacts["crisis_line"]] if contacts.get("crisis_line") else []
    lines += list(contacts.get("lines") or [])
    for line in lines:
        put(line, "say_as", ask_text(ask, f"What should it call {line['name']} aloud",
                                     str(line.get("say_as", "")) or "My line"),
            f"what {line['name']} is called")


def partner(data: Any, ask: Ask, say: Say, changed: list[str]) -> None:
    """The message for a partner, as the person chose beforehand: what is happening and what
    helps now (never a promise about later)."""
    routines = data.get("routines") or {}
    if "for_my_partner" not in routines:
        return
    if not yes(ask, "Write, now, the message it can say to your partner when you have no "
               "words left but your phrase?"):
        return
    say("What helps you most then? 1: stop, give space, stay nearby. 2: stop and leave the "
        "room for a while. 3: stop and stay quietly, without touching. Or write it in your "
        "own words.")
    choice = ask("1, 2, 3 or your own words: ").strip()
    helps = PARTNER.get(choice, choice)
    if not helps:
        return
    step = routines["for_my_partner"][0]
    step["say"] = Quoted(f"This is a message from {{name}}. {{name}} needs a pause. {helps}")
    changed.append("the message for your partner")


def voice(data: Any, ask: Ask, say: Say, changed: list[str]) -> None:
    """Which voice speaks: the natural one, or espeak-ng's (whose licence raises no question
    for any use; docs/voice.md)."""
    settings = data.get("voice")
    if settings is None:
        return
    was = str(settings.get("engine") or "piper")
    say("Which voice? 1: a natural human voice (for personal use at home; docs/voice.md "
        "explains its licence). 2: a clear, robotic voice (espeak-ng). You can also record "
        "your own voice, or a safe person's, later with 'grounding record'.")
    choice = ask(f"1 or 2 [{'2' if was == 'espeak' else '1'}]: ").strip()
    now = {"1": "piper", "2": "espeak"}.get(choice, was)
    if now != was:
        settings["engine"] = now
        changed.append("the voice")


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
