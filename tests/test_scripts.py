"""The shipped scripts, read as a clinician would: every step that asks something of the
body offers a choice, nothing restrains, no praise implies a way to fail, smell and taste
are only offered, and breathing never makes a person hold their breath unwarned."""
from __future__ import annotations

import re

import pytest

from assistant import settings as config_module
from assistant.speaking.routines import render
from assistant.speaking.voice import Voice

from .conftest import ROOT

#: Words that ask something of the body or the senses.
ASKS = re.compile(r"\b(notice|feel|breathe|breath|look|hold|press|rest|name|relax|close|drop|"
                  r"let (it|them|your|one)|soften|touch|move|picture|smell|taste|have some|"
                  r"wrap)\b", re.I)
#: Words that leave the person the choice.
CHOICE = re.compile(r"if (it feels okay|you like|you want|it feels right|it helps)|you could|"
                    r"you might|or leave|or just|you can|or breathe|when you're ready|"
                    r"if it doesn't|if .* is near|or name fewer|or rest", re.I)
RESTRAINT = re.compile(r"hold(s|ing)? you|pin(ned)?\b|trapped|stay still|don't move|can't move|"
                       r"surrender|give in|let go completely|heavy and still", re.I)
#: Words that bring strangulation or smothering to mind (common in partner violence): no
#: shipped script may say them, nor make a breath sound like the last one.
AIR = re.compile(r"last breath|final breath|out of breath|breathless|can'?t breathe|choke|"
                 r"choking|strangl|suffocat|smother|throat|\bneck\b|squeez|gasp|"
                 r"take your breath away", re.I)
#: A message said for the person must not promise anything on their behalf about later.
PROMISE = re.compile(r"\bwill (come back|talk|call|be back|explain)|\blater\b|when I am ready|"
                     r"not about you", re.I)
FAILING_PRAISE = re.compile(r"well done|good (job|girl|boy)|properly|correctly|the right way|"
                            r"try harder|you should", re.I)
#: Steps that speak for the person (a message) or only state the moment: no ask in them.
STATEMENTS = ("It is {date}", "This is a message from", "Take all the time you need",
              "You are here, it is", "That was a lot", "Be as gentle", "Whatever you decide",
              "Remember the limits")


@pytest.fixture(scope="module")
def config():
    return config_module.load(ROOT / "config.yaml")[0]


def every_text(config) -> list[tuple[str, str]]:
    texts = [(f"{name}[{i}]", step.say) for name, steps in config.scripts.items()
             for i, step in enumerate(steps)]
    b = config.breathing
    texts += [("breathing.intro", b.intro), ("breathing.outro", b.outro),
              ("breathing.hold_caution", b.hold_caution)]
    return texts


def test_every_step_that_asks_something_of_the_body_offers_a_choice(config):
    missing = [(where, text) for where, text in every_text(config)
               if ASKS.search(text) and not CHOICE.search(text)
               and not text.startswith(STATEMENTS) and where != "breathing.hold_caution"]
    assert missing == []


def test_the_body_scan_asks_choice_at_the_hands_arms_shoulders_and_face(config):
    steps = {s.region: s.say for s in config.scripts["body_scan"] if s.region}
    for region in ("hands", "arms", "shoulders", "face", "jaw", "pelvis"):
        assert CHOICE.search(steps[region]), region
    assert {"jaw", "pelvis"} <= set(config.skip_regions), "optional unless the user asks"


def test_no_restraint_imagery_and_no_praise_that_implies_failing(config):
    texts = every_text(config) + [("reminder", r) for r in config.reminders]
    assert [t for t in texts if RESTRAINT.search(t[1])] == []
    assert [t for t in texts if FAILING_PRAISE.search(t[1])] == []


def test_nothing_brings_strangulation_or_smothering_to_mind(config):
    """Every word it can say: the scripts, breathing's cues, the help routine, the check-ins
    and the short answers."""
    from assistant.speaking.answers import ANSWERS

    texts = every_text(config) + [("reminder", r) for r in config.reminders]
    texts += [(f"cue {k}", v) for k, v in config.breathing.cues.items()]
    texts += [(f"checkins.{k}", getattr(config.checkins, k))
              for k in ("before", "after", "thanks", "again", "offer")]
    texts += [(f"answer {k}", v) for k, v in ANSWERS.items()]
    voice = Voice(rate=config.rate, volume=config.volume)
    texts += [(f"help {m.label}", m.text) for m in render("help", config, voice).marks]
    assert [t for t in texts if AIR.search(t[1])] == []
    assert AIR.search("That's the last breath.")  # what breathing once ended with


def test_the_message_for_a_partner_says_what_helps_now_and_promises_nothing(config):
    message = " ".join(step.say for step in config.scripts["for_my_partner"])
    assert re.search(r"needs a pause", message) and re.search(r"what helps", message, re.I)
    assert not PROMISE.search(message), message
    assert PROMISE.search("I will come back to talk when I am ready.")


def test_smell_and_taste_are_only_offered(config):
    for where, text in every_text(config):
        if re.search(r"\b(smell|taste)\b", text, re.I):
            assert re.search(r"\bor\b", text) and CHOICE.search(text), (where, text)


def test_breathing_offers_choice_holds_no_breath_by_default_and_warns_before_holds(config):
    b = config.breathing
    assert CHOICE.search(b.intro)
    default = b.patterns[b.pattern]
    assert default[1] == 0 and default[3] == 0, "the default pattern holds no breath"
    voice = Voice(rate=config.rate, volume=config.volume)
    for pattern, phases in b.patterns.items():
        labels = [m.label for m in render("breathing", config, voice, pattern=pattern,
                                          cycles=1).marks]
        holds = phases[1] > 0 or phases[3] > 0
        assert ("caution" in labels) == holds, pattern
        if holds:
            assert labels.index("caution") == labels.index("breath 1") - 1
    assert "breathe normally at any time" in b.hold_caution
