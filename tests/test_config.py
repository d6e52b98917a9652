"""Every kind of bad configuration gets one clear sentence with file, key and line, and exit 2."""
from __future__ import annotations

import re

import pytest

from assistant import settings as config_module

from .conftest import ROOT, cli


def test_example_config_is_valid_and_complete():
    config, warnings = config_module.load(ROOT / "config.yaml")
    assert warnings == []
    for intent in config_module.REQUIRED_INTENTS:
        assert config.words[intent], intent
    assert set(config.breathing.patterns) >= {"box", "4-7-8", "resonance"}
    inhale, _, exhale, _ = config.breathing.patterns["resonance"]
    assert exhale >= inhale
    assert 5.0 <= 60 / sum(config.breathing.patterns["resonance"]) <= 6.0
    assert config.crisis_line is not None and config.contacts and config.reminders
    result = cli("check", "--config", ROOT / "config.yaml")
    assert result.returncode == 0, result.stderr
    assert "ready" in result.stdout


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def bad(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


EXAMPLE = (ROOT / "config.yaml").read_text()

# (name, broken text, the line it must point at, the key path, words the sentence must hold)
CASES = [
    ("unknown key", bad(EXAMPLE, "  sensitivity: 0.6", "  sensitivty: 0.6"),
     "sensitivty: 0.6", "listen.sensitivty", "not a setting"),
    ("wrong type", bad(EXAMPLE, "  rate: 130", "  rate: fast"),
     "rate: fast", "voice.rate", "whole number"),
    ("wrong type in a list", bad(EXAMPLE, "      wait: 20", "      wait: [20]"),
     "wait: [20]", "routines.ground[1].wait", "number"),
    ("empty phrase", bad(EXAMPLE, "      - ground me now", '      - ""'),
     '- ""', "listen.words.ground[0]", "empty phrase"),
    ("no phrases", bad(EXAMPLE, "    quiet:                 # stop talking and stay quiet\n"
                       "      - be quiet now", "    quiet: []"),
     "quiet: []", "listen.words.quiet", "no phrases"),
    ("duplicate phrase", bad(EXAMPLE, "      - continue please", "      - stop everything"),
     "      - stop everything\n    quiet", "listen.words.resume[0]", "also a phrase for 'pause'"),
    ("unpronounceable", bad(bad(EXAMPLE, "  engine: auto", "  engine: pocketsphinx"),
                            "      - be quiet now", "      - quietly zorbulate"),
     "zorbulate", "listen.words.quiet[0]", "cannot pronounce"),
    ("unknown intent", bad(EXAMPLE, "    next:  ", "    nxet:  "),
     "nxet:", "listen.words.nxet", "not an intent"),
    ("missing model", bad(EXAMPLE, "  engine: auto", "  engine: vosk"),
     "model: models/", "listen.model", "not a folder"),
    ("bad engine", bad(EXAMPLE, "  engine: auto", "  engine: whisperx"),
     "engine: whisperx", "listen.engine", "one of auto, whisper, embedding, pocketsphinx, vosk"),
    ("unknown placeholder", bad(EXAMPLE, "You can pause here for as long as you like, {name}.",
                                "Hello {nmae}."),
     "{nmae}", "routines.pause[0].say", "{nmae}"),
    ("unsafe breathing pace", bad(EXAMPLE, "gentle: [4, 0, 6, 0]", "gentle: [1, 0, 1, 0]"),
     "gentle: [1, 0, 1, 0]", "routines.breathing.patterns.gentle", "breaths a minute"),
    ("not YAML", bad(EXAMPLE, "  name: Sam", "  name: [Sam"), None, None, "not valid YAML"),
    ("missing section", bad(EXAMPLE, "contacts:\n", "contactz:\n"),
     "contactz:", "contactz", "not a setting"),
]


@pytest.mark.parametrize("name,text,needle,key,words", CASES, ids=[c[0] for c in CASES])
def test_bad_config_is_named_with_file_key_and_line(write_config, name, text, needle, key, words):
    path = write_config(text)
    result = cli("check", "--config", path)
    assert result.returncode == 2, (name, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert words in message, message
    first = message.splitlines()[0]
    if needle is not None:
        line = line_of(text, needle)
        assert first.startswith(f"{path}:{line}: {key}:"), first
    else:
        assert re.match(rf"{re.escape(str(path))}:\d+: ", first), first


@pytest.mark.parametrize("command", [["run", "--input", "x.wav", "--fast"],
                                     ["say", "pause", "--output", "x.wav"],
                                     ["detect", "x.wav"]])
def test_commands_refuse_a_bad_config_with_the_same_message(write_config, tmp_path, command):
    path = write_config(bad(EXAMPLE, "  rate: 130", "  rate: fast"))
    checked = cli("check", "--config", path)
    result = cli(*command, "--config", path, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == checked.stderr
    assert not (tmp_path / "x.wav").exists(), "nothing may be written for a refused config"


def test_trigger_phrase_in_a_script_is_a_warning_not_an_error(write_config):
    path = write_config(bad(EXAMPLE, "Take all the time you need.",
                            "Say continue please when you are ready."))
    result = cli("check", "--config", path)
    assert result.returncode == 0, result.stderr
    line = line_of(path.read_text(), "Say continue please")
    assert f"{path}:{line}: routines.pause[5].say: says 'continue please'" in result.stderr


def test_an_invented_word_is_fine_for_the_embedding_engine(write_config):
    """The embedding engine learns any phrase the synthesisers can say: a made-up safe word,
    never said in conversation, is a good choice. `check` says learning is still to come."""
    path = write_config(bad(bad(EXAMPLE, "  engine: auto", "  engine: embedding"),
                            "      - be quiet now", "      - quietly zorbulate"))
    result = cli("check", "--config", path)
    assert result.returncode == 0, result.stderr
    assert "heard by embedding (it learns these phrases once, when it next starts" \
        in result.stdout


def test_missing_file_is_one_sentence(tmp_path):
    result = cli("check", "--config", tmp_path / "nope.yaml")
    assert result.returncode == 2
    missing = tmp_path / "nope.yaml"
    assert result.stderr.strip() == f"{missing}: the configuration file does not exist."


def test_several_problems_are_all_reported(write_config):
    text = bad(bad(EXAMPLE, "  rate: 130", "  rate: fast"), "  volume: 0.9", "  volume: loud")
    result = cli("check", "--config", write_config(text))
    assert result.returncode == 2
    assert "voice.rate" in result.stderr and "voice.volume" in result.stderr


def test_check_warns_about_phrases_likely_to_be_unreliable(write_config):
    text = bad(EXAMPLE, "      - stop everything\n", "      - stop\n")
    path = write_config(text)
    result = cli("check", "--config", path)
    assert result.returncode == 0, result.stderr
    line = line_of(text, "      - stop\n")
    assert f"{path}:{line}: listen.words.pause[0]: 'stop' is one short syllable" in result.stderr
    clash = bad(EXAMPLE, "      - speed up please", "      - slow her please")
    result = cli("check", "--config", write_config(clash, "clash.yaml"))
    assert result.returncode == 0
    assert "'slow her please' sounds much like 'slower please'" in result.stderr
    assert "listen.words" not in cli("check").stderr  # the shipped phrases pass


def test_check_warns_about_phrases_everyday_talk_is_full_of(write_config):
    """A television or a conversation says "what can i say" and "i need help" all the time;
    the shipped phrases have a rarer word in them."""
    text = bad(bad(EXAMPLE, "      - list my phrases\n", "      - what can i say\n"),
               "      - read my safety plan\n", "      - i need help\n")
    path = write_config(text)
    result = cli("check", "--config", path)
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "everyday speech" in line]
    assert warned == [
        f"warning: {path}:{line_of(text, '      - i need help')}: listen.words.help[0]: "
        "'i need help' is everyday speech (each of its words is among the commonest in "
        "English), so a television, a radio or a conversation nearby may say it and start "
        "this; a phrase with a rarer word in it, such as one of the shipped ones, is said by "
        "accident far less often.",
        f"warning: {path}:{line_of(text, '      - what can i say')}: "
        "listen.words.what_can_i_say[0]: 'what can i say' is everyday speech (each of its "
        "words is among the commonest in English), so a television, a radio or a conversation "
        "nearby may say it and start this; a phrase with a rarer word in it, such as one of "
        "the shipped ones, is said by accident far less often."]


def test_check_warns_while_the_contacts_are_the_examples_and_without_an_emergency_number(
        write_config):
    shipped = cli("check")
    assert shipped.returncode == 0
    warned = [line for line in shipped.stderr.splitlines() if "example's contact" in line]
    assert len(warned) == 2 and all(line.startswith("warning: ") for line in warned)
    own = bad(bad(EXAMPLE, "Maya (example)", "Maya"), '"07700 900123"', '"07123 456789"')
    own = bad(bad(own, "Dr. Ellis (example)", "Dr. Ellis"), '"020 7946 0018"', '"020 8123 4567"')
    result = cli("check", "--config", write_config(own))
    assert result.returncode == 0 and "example" not in result.stderr, result.stderr
    no_number = bad(own, '    phone: "999"', '    phone: ""')
    result = cli("check", "--config", write_config(no_number, "none.yaml"))
    assert result.returncode == 0
    line = line_of(no_number, "  emergency:")
    assert f"none.yaml:{line}: contacts.emergency: has no number" in result.stderr
    # A file with no emergency entry at all is refused, with its line.
    start = EXAMPLE.index("  emergency:")
    gone = EXAMPLE[:start] + EXAMPLE[EXAMPLE.index("  crisis_line:"):]
    result = cli("check", "--config", write_config(gone, "gone.yaml"))
    assert result.returncode == 2 and "contacts: is missing 'emergency'" in result.stderr


def test_routines_of_ones_own_are_checked_like_the_built_in_ones(write_config):
    bad_wait = bad(EXAMPLE, "      wait: 5\n    - say: \"Is this still okay",
                   "      wait: -1\n    - say: \"Is this still okay")
    result = cli("check", "--config", write_config(bad_wait))
    assert result.returncode == 2
    line = line_of(bad_wait, "wait: -1")
    assert f"{line}: routines.check_in[0].wait: is -1.0" in result.stderr
    unknown = bad(EXAMPLE, "This is a message from {name}.", "This is a message from {nam}.")
    result = cli("check", "--config", write_config(unknown, "u.yaml"))
    assert result.returncode == 2 and "routines.for_my_partner[0].say: uses {nam}" in \
        result.stderr
    clash = bad(EXAMPLE, "  check_in:\n    - say:", "  Check-In:\n    - say:")
    result = cli("check", "--config", write_config(clash, "c.yaml"))
    assert result.returncode == 2 and "routines.Check-In: is not a name" in result.stderr
    silent = bad(EXAMPLE, "    check_in:\n      - check in with me\n", "")
    result = cli("check", "--config", write_config(silent, "s.yaml"))
    assert result.returncode == 0
    assert "routines.check_in: has no phrases under listen.words.check_in" in result.stderr
    said = cli("say", "check_in", "--dry-run")
    assert said.returncode == 0 and "How are you, right now?" in said.stdout
    nothing = cli("say", "no_such_routine", "--dry-run")
    assert nothing.returncode == 2 and "'no_such_routine' is not a routine" in nothing.stderr
