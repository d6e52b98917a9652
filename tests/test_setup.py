"""`grounding setup`: asked in the terminal, written into config.yaml with its comments kept,
then checked; answers that cannot be used leave the file as it was. Nobody has to be listed,
the country's numbers go together, and the first start asks once."""
from __future__ import annotations

import shutil

from assistant import settings as config_module
from assistant.setup import PARTNER
from assistant.speaking.routines import render
from assistant.speaking.voice import Voice

from .conftest import ROOT, cli
from .test_scripts import PROMISE

#: Name, four anchors, pause phrase, help phrase, the country (kept), its emergency number
#: ("abc" is asked again), yes to taking out the example's people, one person (name,
#: relation, number, note) and an empty name to finish, no discreet mode, no message, the
#: robotic voice.
ANSWERS = ["Alex", "", "", "my cat", "", "let me pause", "", "", "abc", "112", "", "Jo",
           "my friend", "0712345678", "any time", "", "", "", "2"]


def setup(tmp_path, answers, *args, store=None):
    path = tmp_path / "config.yaml"
    if not path.exists():
        shutil.copy(ROOT / "config.yaml", path)
    env = {"GROUNDING_DATA": str(store or tmp_path / "store")}
    return path, cli("setup", "--config", path, *args, input="\n".join(answers) + "\n",
                     env=env)


def test_setup_writes_the_answers_and_keeps_every_comment(tmp_path):
    path, result = setup(tmp_path, ANSWERS)
    assert result.returncode == 0, result.stderr
    config = config_module.load(path)[0]
    assert config.name == "Alex" and config.anchors["object"] == "my cat"
    assert config.words["pause"][0] == "let me pause" and config.emergency.phone == "112"
    assert [(p.name, p.relation, p.phone, p.note) for p in config.contacts] == \
        [("Jo", "my friend", "0712345678", "any time")]  # a number stays text
    assert config.speech == "espeak" and "Which voice?" in result.stdout + result.stderr
    assert "Please give the number in digits." in result.stderr  # "abc" was asked again
    comments = [line.strip() for line in (ROOT / "config.yaml").read_text().splitlines()
                if line.strip().startswith("#")]
    written = path.read_text()
    assert [c for c in comments if c not in written] == []
    assert "is ready" in result.stdout  # checked after writing
    assert "example's contact" not in result.stderr
    assert (tmp_path / "config.yaml.before-setup").read_text() == \
        (ROOT / "config.yaml").read_text()


def test_no_one_for_now_is_an_answer_and_the_first_start_asks_once(tmp_path):
    """Many have nobody they can list yet: the examples go, nobody is added, and help
    reads no people; the next start does not ask again (setup itself always can)."""
    nobody = ["", "", "", "", "", "", "", "", "", "y", "", "", "", ""]
    path, result = setup(tmp_path, nobody, "--first-time")
    assert result.returncode == 0, result.stderr
    config = config_module.load(path)[0]
    assert config.contacts == ()
    help_text = " ".join(m.text for m in render("help", config, Voice()).marks)
    assert "people you chose" not in help_text and "Maya" not in help_text
    assert "scripts/start" not in result.stderr  # it is being started by scripts/start
    before = path.read_text()
    _, again = setup(tmp_path, ["Someone else"], "--first-time")
    assert again.returncode == 0 and path.read_text() == before and again.stderr == ""
    asked = tmp_path / "store" / "setup-asked"
    assert asked.exists()


def test_keeping_the_examples_the_first_start_still_asks_only_once(tmp_path):
    keep = ["", "", "", "", "", "", "", "", "", "n", "", "", "", ""]
    path, result = setup(tmp_path, keep, "--first-time")
    assert result.returncode == 0, result.stderr
    _, again = setup(tmp_path, ["Someone else"], "--first-time")
    assert again.stdout == "" and again.stderr == ""  # not asked again
    assert "Alex" not in path.read_text()


def test_another_country_replaces_every_number_of_the_first(tmp_path):
    """Another emergency number: the United Kingdom's note, helpline and lines go with it,
    none left behind; the new helpline is read instead."""
    abroad = ["", "", "", "", "", "", "", "Ireland", "112", "", "Women's Aid", "1800 341 900",
              "y", "", "", ""]
    path, result = setup(tmp_path, abroad)
    assert result.returncode == 0, result.stderr
    config = config_module.load(path)[0]
    assert config.place == "Ireland" and config.emergency.phone == "112"
    assert config.emergency.note == "" and config.lines == ()
    assert config.crisis_line.name == "Women's Aid"
    said = " ".join(m.text for m in render("help", config, Voice()).marks).lower()
    for uk in ("five five", "nine nine nine", "samaritans", "national domestic abuse",
               "zero eight zero eight", "one one six"):
        assert uk not in said, uk
    assert "one one two" in said and "women's aid" in said


def test_discreet_mode_and_the_partners_message_are_offered(tmp_path):
    answers = ["", "", "", "", "", "", "", "", "", "y", "", "y", "", "", "y", "3", ""]
    path, result = setup(tmp_path, answers)
    assert result.returncode == 0, result.stderr
    config = config_module.load(path)[0]
    assert config.discreet
    assert config.crisis_line.say_as == "My line"  # Enter kept what the example suggests
    message = config.scripts["for_my_partner"][0].say
    assert PARTNER["3"] in message and not PROMISE.search(message)
    assert all(not PROMISE.search(text) for text in PARTNER.values())


def test_the_questions_explain_themselves_before_they_are_asked(tmp_path):
    _, result = setup(tmp_path, ANSWERS)
    said = result.stderr + result.stdout
    advice = said.index("Two or three words are heard far more reliably")
    assert advice < said.index("Words to stop everything at once")
    assert "Something you can hold" in said and "A sound that calms you" in said
    assert "The words that hear" not in said  # the old, garbled question


def test_answers_that_cannot_be_used_leave_the_file_as_it_was(tmp_path):
    clash = ["", "", "", "", "", "continue please"]  # already the resume phrase
    path, result = setup(tmp_path, clash)
    assert result.returncode == 2
    assert "is as it was" in result.stderr and "also a phrase for" in result.stderr
    assert path.read_text() == (ROOT / "config.yaml").read_text()
