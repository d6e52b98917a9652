"""The shape of the package: modules import each other in one direction only.

Every import is counted, at the top of a module or inside a function, so a
cycle cannot hide behind an import made late.
"""
from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "assistant"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of ``assistant`` to the modules of ``assistant`` it imports."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                # "from pkg import mod" imports the module pkg.mod; "from mod import x", mod
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                           for a in node.names]
            for target in targets:
                # importing a.b.c runs a/__init__ and a/b/__init__ too (but a module's own
                # packages have run before it, whatever it imports)
                pieces = target.split(".")
                for k in range(1, len(pieces) + 1):
                    prefix = ".".join(pieces[:k])
                    if prefix in files and prefix != name and \
                            not name.startswith(prefix + "."):
                        graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk, each as the list of modules around it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_module_of_the_assistant_imports_itself_round_a_cycle():
    graph = import_graph()
    assert len(graph) > 20 and graph["assistant.cli"], "the walk found the package's modules"
    found = cycles(graph)
    assert not found, "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_stages_depend_in_the_pipeline_direction_only():
    """Sound in, hearing, deciding, speaking: sound knows nothing of the others; hearing and
    speaking know nothing of each other, of learning or of the decisions; deciding uses
    hearing, sound and speaking and knows nothing of learning (``recognisers`` hands it
    the ear) or of the command line."""
    graph = import_graph()
    above = ("assistant.app", "assistant.cli", "assistant.commands")  # the top of the house
    upward = {
        "assistant.sound": ("assistant.hearing", "assistant.learning", "assistant.speaking",
                            "assistant.deciding", *above),
        "assistant.hearing": ("assistant.learning", "assistant.speaking", "assistant.deciding",
                              *above),
        "assistant.speaking": ("assistant.hearing", "assistant.learning", "assistant.deciding",
                               *above),
        "assistant.deciding": ("assistant.learning", *above),
    }
    wrong = [(a, b) for a, deps in graph.items() for b in deps for low, highs in upward.items()
             if (a == low or a.startswith(low + ".")) and b.startswith(highs)]
    assert not wrong, wrong


def test_nothing_for_measuring_ships_in_the_product():
    names = {p.stem for p in PACKAGE.rglob("*.py")}
    assert "analysis" not in names
    text = "\n".join(p.read_text() for p in PACKAGE.rglob("*.py"))
    assert "HELD_OUT" not in text and "speech_commands" not in text


def test_the_gpl_voice_runs_only_in_a_process_of_its_own():
    """Piper (GPL-3.0-or-later) is imported by its worker alone, a program the assistant
    (MIT) runs but never imports (docs/voice.md)."""
    importers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if any(n == "piper" or n.startswith("piper.") for n in names):
                importers.add(path.relative_to(ROOT).as_posix())
    assert importers == {"assistant/speaking/piper_worker.py"}
    worker = "assistant.speaking.piper_worker"
    assert not [a for a, deps in import_graph().items() if worker in deps]
    assert (PACKAGE / "speaking" / "piper_worker.py").read_text().startswith(
        "# SPDX-License-Identifier: GPL-3.0-or-later")
