"""The assistant put together from its configuration: one place that wires the stages, used
by the app, the tests and the benchmarks alike."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from .deciding.assistant import Assistant
from .deciding.events import Log
from .deciding.log import EventLog
from .hearing.base import Recogniser
from .recognisers import make_recogniser
from .settings import Config
from .sound.player import Player
from .speaking.voice import DISCREET, Voice, configured_voice


def build_assistant(config: Config, *, recogniser: Recogniser | None = None,
                    store: Path | None = None, voice: Voice | None = None,
                    player: Player | None = None, log: Log | None = None,
                    clock: Callable[[], dt.datetime] = dt.datetime.now,
                    cancel_echo: bool | None = None,
                    journal: Callable[[dict], None] = lambda record: None) -> Assistant:
    """The assistant for ``config``. Any part may be given (a recogniser already made, a
    player the caller drains, a log it reads); the rest is made as configured: the
    recogniser with what was learned in ``store``, the voice at its rate and volume, a
    player (quieter in discreet mode) and an event log kept in memory."""
    return Assistant(
        config,
        recogniser=recogniser if recogniser is not None else make_recogniser(config, store=store),
        voice=voice or configured_voice(config, store=store),
        player=player or Player(gain=DISCREET if config.discreet else 1.0),
        log=log if log is not None else EventLog(), clock=clock, cancel_echo=cancel_echo,
        journal=journal)
