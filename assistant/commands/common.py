"""What every command shares: reading the configuration, telling the user, asking them, and
the refusals that carry an exit code.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from contextlib import ExitStack
from pathlib import Path

from .. import settings as config_module
from ..recognisers import choose_engine
from ..screen import Screen
from ..settings import Config

DEFAULT_CONFIG = Path("config.yaml")


EXIT_CONFIG, EXIT_AUDIO = 2, 3


class Refused(Exception):
    """A problem the user must fix; carries the exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day; write it as 2026-11-29.")


def load_config(path: Path, *, quiet: bool = False) -> Config:
    config, warnings = config_module.load(path)
    if not quiet:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return config


def tell(message: str) -> None:
    """What the user should know while the assistant starts or runs."""
    if SCREEN:
        SCREEN[0].message(message)
    else:
        print(message, file=sys.stderr)


#: The status area while a run shows one (its messages go above it).
SCREEN: list[Screen] = []


def show(stack: ExitStack, config: Config, *, listening: bool = True) -> Screen:
    """The status area on stderr, closed with ``stack``."""
    screen = Screen(sys.stderr, engine=choose_engine(config) if listening else "not listening",
                    discreet=config.discreet)
    SCREEN.append(screen)

    def close() -> None:
        SCREEN.remove(screen)
        screen.close()

    stack.callback(close)
    return screen


def format_time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def ask(question: str) -> str:
    """A line typed in answer; nothing when there is no more to read."""
    try:
        return input(question)
    except EOFError:
        return ""


def confirmed(question: str) -> bool:
    return ask(question).strip().lower().startswith("y")
