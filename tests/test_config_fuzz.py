"""Any configuration file at all: a clear sentence and exit 2, or ready — never a traceback.

Hypothesis changes the shipped config.yaml at random places (empty values, wrong types,
odd Unicode, huge and non-finite numbers, missing and unknown keys) and writes raw YAML
(aliases and "billion laughs" files, duplicate keys, garbage). ``check`` and
``say --dry-run`` run in-process on every example; ``run --input`` on a few.
"""
from __future__ import annotations

import copy
import time
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import cli

from .conftest import ROOT, save, silence

EXAMPLE = yaml.safe_load((ROOT / "config.yaml").read_text())
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

odd_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(
    st.none(), st.booleans(), odd_text,
    st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([[], {}, [None], {"": None}, "{name.__class__}", "{name:>300000000}",
                     "-5", "1e12", [[["deep"]]]]),
    st.lists(odd_text, max_size=3))


def paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every key path in the example."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, path + (i,))
    return found


PATHS = [p for p in paths(EXAMPLE) if p]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    data = copy.deepcopy(EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(odd_text)] = draw(values)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed or replaced this part
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def raw_yaml(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["laughs", "duplicate", "anchor", "garbage", "deep"]))
    if kind == "laughs":
        depth, width = draw(st.integers(2, 12)), draw(st.integers(2, 10))
        lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]"
                  for i in range(1, depth)]
        return "\n".join(lines) + "\n"
    text = (ROOT / "config.yaml").read_text()
    if kind == "duplicate":
        key = draw(st.sampled_from(["  words:", "    pause:", "  rate:", "user:"]))
        return text.replace(key, f"{key}\n{key}", 1) if key in text else text + "user: {}\n"
    if kind == "anchor":
        return text.replace("    pause:", "    pause: &p", 1).replace(
            "    help:", "    help: *p\n    other:", 1)
    if kind == "deep":
        return "a: " + "[" * draw(st.integers(50, 5000)) + "\n"
    return draw(odd_text)


def outcome(args: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str]:
    started = time.monotonic()
    code = cli.main(args)
    err = capsys.readouterr().err
    assert time.monotonic() - started < 20, "it took too long to answer"
    return code, err


def assert_clear(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        lines = err.strip().splitlines()
        assert lines and all(len(line) < 400 for line in lines), err[:2000]


@FUZZ
@given(text=st.one_of(mutated(), raw_yaml()))
def test_check_and_a_dry_run_answer_any_file_clearly(text, tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    code, err = outcome(["check", "--config", str(path)], capsys)
    assert_clear(code, err)
    for routine in ("breathing", "body_scan", "help"):
        said, err2 = outcome(["say", routine, "--dry-run", "--config", str(path)], capsys)
        assert_clear(said, err2)
        assert (said == 0) == (code == 0), (routine, err2)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=mutated())
def test_run_answers_any_file_clearly(text, tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    wav = save(tmp_path / "in.wav", silence(1.0))
    code, err = outcome(["run", "--config", str(path), "--input", str(wav), "--output",
                         str(tmp_path / "out.wav"), "--fast"], capsys)
    assert_clear(code, err)


def test_a_billion_laughs_is_refused_at_once(tmp_path, capsys):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    code, err = outcome(["check", "--config", str(path)], capsys)
    assert code == 2 and "alias" in err
    assert time.monotonic() - started < 2


def test_user_text_is_never_formatted(tmp_path, capsys):
    """Braces in what the user wrote stand only for placeholder names: attributes and format
    specifications (which once read Python internals aloud, or took 18 s and 458 MB) are
    named as unknown by ``check``, and never evaluated."""
    data = copy.deepcopy(EXAMPLE)
    data["contacts"]["people"][0]["note"] = "{name.__class__.__mro__} {name:>300000000}"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, err = outcome(["say", "help", "--dry-run", "--config", str(path)], capsys)
    assert code == 2 and "{name.__class__.__mro__}" in err and "{name:>300000000}" in err
