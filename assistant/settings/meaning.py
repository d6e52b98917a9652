"""Checks that go beyond what a setting may hold: phrases, ranges, placeholders, and the
numbers that are still the example's."""
from __future__ import annotations

import re

from .model import (
    BUILTIN_ROUTINES,
    INTENTS,
    LONGEST_BREATHING,
    LONGEST_TEXT,
    LONGEST_WAIT,
    MOST_PHRASES,
    REQUIRED_INTENTS,
    ROUTINE_NAME,
    TIME_PLACEHOLDERS,
    Config,
    Contact,
    normalise_phrase,
)
from .schema import Checker


def check_meaning(config: Config, data: dict, checker: Checker) -> None:
    """Checks that go beyond types: phrases, ranges, placeholders."""
    words_path = ("listen", "words")
    seen: dict[str, str] = {}
    for i, name in enumerate(config.own_routines):
        if not ROUTINE_NAME.fullmatch(name) or name in INTENTS + BUILTIN_ROUTINES:
            checker.error(("routines", name), "is not a name a routine of your own can have; use "
                          "lower-case letters, digits and underscores (up to 40), and not the "
                          "name of an intent or a built-in routine.")
        elif name not in data["listen"]["words"]:
            checker.warn(("routines", name), f"has no phrases under listen.words.{name}, so only "
                         f"'grounding say {name}' starts it.")
    for intent, phrases in data["listen"]["words"].items():
        path = words_path + (intent,)
        if intent not in config.intents:
            checker.error(path, f"is not an intent nor a routine of yours; known intents are "
                          f"{', '.join(config.intents)}.")
            continue
        if not phrases:
            checker.error(path, "has no phrases; give at least one.")
        for i, raw in enumerate(phrases):
            phrase = normalise_phrase(raw)
            if not phrase:
                checker.error(path + (i,), "is an empty phrase.")
            elif phrase in seen and seen[phrase] != intent:
                checker.error(path + (i,), f"'{raw}' is also a phrase for '{seen[phrase]}'; "
                              "each phrase can only mean one thing.")
            elif phrase in seen:
                checker.error(path + (i,), f"'{raw}' is listed twice.")
            seen[phrase] = intent
    if len(seen) > MOST_PHRASES:
        checker.error(words_path, f"has {len(seen)} phrases; keep to {MOST_PHRASES} or fewer.")
    for intent in REQUIRED_INTENTS:
        if intent not in data["listen"]["words"]:
            checker.error(words_path, f"has no phrases for '{intent}'; every assistant needs one.")
    for phrase in config.phrase_sensitivity:
        if phrase not in seen:
            checker.error(("listen", "phrase_sensitivity", phrase), "is not one of the phrases "
                          "in listen.words.")
    for key, value in [("sensitivity", config.sensitivity)] + [
            (f"phrase_sensitivity.{k}", v) for k, v in config.phrase_sensitivity.items()]:
        if not 0.0 <= value <= 1.0:
            checker.error(("listen",) + tuple(key.split(".", 1)), f"is {value}; use a number "
                          "from 0 (hardly ever triggers) to 1 (triggers easily).")
    if config.engine == "vosk" and config.model is None:
        checker.error(("listen", "engine"), "is vosk but listen.model names no model folder; run "
                      "scripts/download_model.py or choose pocketsphinx.")
    if config.model is not None and not config.model.is_dir() and config.engine == "vosk":
        checker.error(("listen", "model"), f"names {config.model}, which is not a folder; run "
                      "scripts/download_model.py to fetch the model.")
    if not 50 <= config.rate <= 400:
        checker.error(("voice", "rate"), f"is {config.rate}; use 50 to 400 words a minute.")
    if not 0.0 <= config.volume <= 1.0:
        checker.error(("voice", "volume"), f"is {config.volume}; use 0.0 to 1.0.")
    check_breathing(config, checker)
    check_scripts(config, data, checker)
    check_checkins(config, checker)


def check_checkins(config: Config, checker: Checker) -> None:
    c, base = config.checkins, ("checkins",)
    if not 0 <= c.high <= 10:
        checker.error(base + ("high",), f"is {c.high}; use a rating from 0 to 10.")
    if not 2.0 <= c.wait <= 30.0:
        checker.error(base + ("wait",), f"is {c.wait}; wait 2 to 30 seconds for an answer.")
    for i, name in enumerate(c.routines):
        if name not in config.routines or name in ("pause", "help", "phrases"):
            checker.error(base + ("routines", i), f"'{name}' cannot have check-ins; use "
                          "breathing, body_scan, ground or one of your own routines.")
    for key in ("before", "after", "thanks", "again", "offer"):
        text = getattr(c, key)
        if len(text) > LONGEST_TEXT:
            checker.error(base + (key,), f"is {len(text)} characters long; keep it under "
                          f"{LONGEST_TEXT}.")
        allowed = {"thanks": ("rating",), "offer": ("help", "pause")}.get(key, ())
        unknown = [n for n in placeholders(text) if n not in allowed]
        if unknown:
            checker.error(base + (key,), f"uses {{{unknown[0]}}}, which is not known here" +
                          (f"; only {', '.join('{' + a + '}' for a in allowed)} can be."
                           if allowed else "."))


#: Numbers set aside for fiction and examples: the UK's drama ranges (Ofcom) and the North
#: American 555-0100 to 555-0199. A contact with one of them is still the example's.
EXAMPLE_NUMBERS = re.compile(r"(44|0)(7700900|1632960|2079460|1134960|1144960|1154960|"
                             r"1174960|1184960|1214960|1314960|1414960|1614960|2890180|"
                             r"2920180|3069990|8081570|9098790)\d{3}|1?\d{3}55501\d\d")


def is_example_number(phone: str) -> bool:
    return bool(EXAMPLE_NUMBERS.fullmatch("".join(c for c in phone if c.isdigit())))


def is_example(person: Contact) -> bool:
    """A person still the example's (a number set aside for fiction, or so named): never
    read out by help."""
    return is_example_number(person.phone) or "(example)" in person.name.lower()


def contact_warnings(config: Config) -> list[str]:
    """Warnings (the file still works; ``check`` and ``setup`` say them) while the people are
    still the example's, and while no emergency number is set: help must not read out
    someone who does not exist, nor leave out the number that matters most."""
    found = []
    for i, person in enumerate(config.contacts):
        if is_example(person):
            found.append(f"{config.where('contacts', 'people', i)}: {person.name} is still the "
                         "example's contact (help does not read it out); put in someone of "
                         "your own, or delete the entry.")
    if config.emergency is None or not any(c.isdigit() for c in config.emergency.phone):
        found.append(f"{config.where('contacts', 'emergency')}: has no number; write the "
                     "emergency number for where you live (112 works in many countries), so "
                     "help can say it first.")
    return found


def check_breathing(config: Config, checker: Checker) -> None:
    b = config.breathing
    base = ("routines", "breathing")
    for name, phases in b.patterns.items():
        path = base + ("patterns", name)
        if len(phases) != 4 or any(p < 0 for p in phases):
            checker.error(path, "should be four seconds: inhale, hold, exhale, hold.")
            continue
        rate = 60.0 / sum(phases) if sum(phases) else float("inf")
        if phases[0] <= 0 or phases[2] <= 0 or not 3.0 <= rate <= 10.0:
            checker.error(path, f"gives {rate:.1f} breaths a minute; keep inhale and exhale above "
                          "zero and the pace between 3 and 10 breaths a minute.")
    if b.pattern not in b.patterns:
        checker.error(base + ("pattern",), f"is '{b.pattern}'; choose one of "
                      f"{', '.join(b.patterns)}.")
    if not 0 < b.minutes <= LONGEST_BREATHING:
        checker.error(base + ("minutes",), f"is {b.minutes}; use more than 0 and at most "
                      f"{LONGEST_BREATHING:g} minutes.")
    phases = b.patterns.get(b.pattern, ())
    if b.cycles < 0 or b.cycles * sum(phases) > LONGEST_BREATHING * 60:
        checker.error(base + ("cycles",), f"is {b.cycles}; use 0 (then minutes counts) or a "
                      f"number of breaths that takes at most {LONGEST_BREATHING:g} minutes.")


def placeholders(text: str) -> list[str]:
    """What stands in braces in ``text``: a placeholder's name, or whatever else was written
    there (which ``check`` then names as unknown)."""
    return re.findall(r"\{([^{}]*)\}", text)


def check_scripts(config: Config, data: dict, checker: Checker) -> None:
    known = set(TIME_PLACEHOLDERS) | set(config.anchors)
    texts: list[tuple[tuple, str]] = []
    routines = data["routines"]
    for name in ("pause", "ground") + config.own_routines:
        texts += [(("routines", name, i, "say"), s.say) for i, s in enumerate(config.scripts[name])]
    texts += [(("routines", "body_scan", "steps", i, "say"), s.say)
              for i, s in enumerate(config.scripts["body_scan"])]
    for key in ("intro", "outro", "hold_caution"):
        texts.append((("routines", "breathing", key), getattr(config.breathing, key)))
    texts += [(("routines", "breathing", "cues", k), v) for k, v in config.breathing.cues.items()]
    texts += [(("contacts", "reminders", i), r) for i, r in enumerate(config.reminders)]
    texts.append((("contacts", "disclaimer"), config.disclaimer))
    for i, person in enumerate(config.contacts):
        texts += [(("contacts", "people", i, key), getattr(person, key))
                  for key in ("name", "relation", "phone", "note", "say_as")]
    for key in ("emergency", "crisis_line"):
        line = getattr(config, key)
        if line is not None:
            texts += [(("contacts", key, field), getattr(line, field))
                      for field in ("name", "phone", "note", "say_as")]
    for i, line in enumerate(config.lines):
        texts += [(("contacts", "lines", i, field), getattr(line, field))
                  for field in ("name", "phone", "note", "say_as")]
    for path, text in texts:
        for name in placeholders(text):
            if name not in known:
                checker.error(path, f"uses {{{name}}}, which is not known; use {{name}}, "
                              "{weekday}, {date}, {time}, {time_of_day} or one of user.anchors.")
    waits: list[tuple[tuple, float]] = [(("routines", n, i, "wait"), s.wait)
                                         for n in ("pause", "ground") + config.own_routines
                                         for i, s in enumerate(config.scripts[n])]
    waits += [(("routines", "body_scan", "steps", i, "wait"), s.wait)
              for i, s in enumerate(config.scripts["body_scan"])]
    for path, wait in waits:
        if not 0 <= wait <= LONGEST_WAIT:
            checker.error(path, f"is {wait}; a wait is 0 to {LONGEST_WAIT:g} seconds of "
                          "silence.")
    for path, text in texts:
        if len(text) > LONGEST_TEXT:
            checker.error(path, f"is {len(text)} characters long; keep each text under "
                          f"{LONGEST_TEXT}.")
    regions = {s.region.lower() for s in config.scripts["body_scan"]}
    for i, region in enumerate(config.skip_regions):
        if region not in regions:
            checker.error(("routines", "body_scan", "skip", i), f"'{region}' is not a region of "
                          "any body scan step.")
    if "pause" not in routines or not config.scripts["pause"]:
        checker.error(("routines",), "has no 'pause' steps; the pause word needs a routine.")
    for path, text in texts:
        spoken = " " + normalise_phrase(text) + " "
        for intent, phrases in config.words.items():
            for phrase in phrases:
                if phrase and f" {phrase} " in spoken:
                    checker.warn(path, f"says '{phrase}', a phrase for '{intent}'; the assistant "
                                 "could hear itself and react.")
