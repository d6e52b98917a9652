"""`grounding setup`: asked in the terminal, written into config.yaml with its comments kept,
then checked; answers that cannot be used leave the file as it was."""
from __future__ import annotations

import shutil

from assistant import config as config_module

from .conftest import ROOT, cli

#: Name, four anchors, pause phrase, help phrase, emergency number, crisis line and its
#: number, then one person (name, relation, number, note) and an empty name to finish.
ANSWERS = ["Alex", "", "", "my cat", "", "let me pause", "", "abc", "112", "", "",
           "Jo", "my friend", "0712345678", "any time", ""]


def setup(tmp_path, answers, *args):
    path = tmp_path / "config.yaml"
    if not path.exists():
        shutil.copy(ROOT / "config.yaml", path)
    return path, cli("setup", "--config", path, *args, input="\n".join(answers) + "\n")


def test_setup_writes_the_answers_and_keeps_every_comment(tmp_path):
    path, result = setup(tmp_path, ANSWERS)
    assert result.returncode == 0, result.stderr
    config = config_module.load(path)[0]
    assert config.name == "Alex" and config.anchors["object"] == "my cat"
    assert config.words["pause"][0] == "let me pause" and config.emergency.phone == "112"
    assert [(p.name, p.relation, p.phone, p.note) for p in config.contacts] == \
        [("Jo", "my friend", "0712345678", "any time")]  # a number stays text
    assert "Please give the number in digits." in result.stderr  # "abc" was asked again
    comments = [line.strip() for line in (ROOT / "config.yaml").read_text().splitlines()
                if line.strip().startswith("#")]
    written = path.read_text()
    assert [c for c in comments if c not in written] == []
    assert "is ready" in result.stdout  # checked after writing
    assert "example's contact" not in result.stderr
    assert (tmp_path / "config.yaml.before-setup").read_text() == \
        (ROOT / "config.yaml").read_text()


def test_first_time_only_runs_while_the_example_people_are_there(tmp_path):
    path, result = setup(tmp_path, ANSWERS)
    assert result.returncode == 0
    before = path.read_text()
    _, again = setup(tmp_path, ["Someone else"], "--first-time")
    assert again.returncode == 0 and path.read_text() == before and again.stderr == ""


def test_answers_that_cannot_be_used_leave_the_file_as_it_was(tmp_path):
    clash = ["", "", "", "", "", "continue please"]  # already the resume phrase
    path, result = setup(tmp_path, clash)
    assert result.returncode == 2
    assert "is as it was" in result.stderr and "also a phrase for" in result.stderr
    assert path.read_text() == (ROOT / "config.yaml").read_text()
