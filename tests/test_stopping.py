"""A stop asked for (SIGTERM, Ctrl-C) is never lost, even where Python drops its exception."""
from __future__ import annotations

import signal
import sys
import weakref
from types import SimpleNamespace

import numpy as np
import pytest

from assistant import stopping
from assistant.app import serve, wait_for_microphone
from assistant.sound import AudioError


@pytest.fixture
def handlers():
    """The program's handlers for this test (as ``grounding`` sets them), pytest's after."""
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    hook = sys.unraisablehook
    stopping.on_signals()
    yield {s: signal.getsignal(s) for s in before}
    for s, handler in before.items():
        signal.signal(s, handler)
    sys.unraisablehook = hook
    stopping._asked = None


@pytest.fixture
def dropped(monkeypatch) -> list[BaseException]:
    """The exceptions Python drops ("Exception ignored in ...")."""
    lost: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: lost.append(info.exc_value))
    return lost


class Thing:
    """Something with a finaliser, as the sound library's objects have."""


def lost_in_a_finaliser(handler, signum: int = signal.SIGTERM) -> None:
    """The signal arrives while a finaliser runs: its exception is printed and dropped."""
    thing = Thing()
    weakref.finalize(thing, handler, signum, None)
    del thing


def test_a_stop_lost_in_a_finaliser_still_ends_the_wait_for_a_microphone(handlers, dropped):
    calls = []

    def no_microphone(device) -> None:
        calls.append(device)
        if len(calls) > 3:
            raise RuntimeError("still waiting for a microphone after the stop")
        lost_in_a_finaliser(handlers[signal.SIGTERM])
        raise AudioError("No microphone.")
    config = SimpleNamespace(input_device=None, discreet=True)
    with pytest.raises(stopping.Terminated):
        wait_for_microphone(config, tell=lambda m: None, say=lambda m: None,
                            check=no_microphone, every=0.01)
    assert [type(e) for e in dropped] == [stopping.Terminated], "the stop was not lost on " \
        "its way: this test shows nothing"
    assert len(calls) == 1


def test_a_lost_ctrl_c_still_ends_the_main_loop(handlers, dropped):
    heard = []

    class Listener:
        busy = False

        def feed(self, samples: np.ndarray) -> None:
            heard.append(len(samples))
            if len(heard) == 1:
                lost_in_a_finaliser(handlers[signal.SIGINT], signal.SIGINT)
    chunks = (np.zeros(320, np.int16) for _ in range(5))
    with pytest.raises(KeyboardInterrupt) as stopped:
        serve(Listener(), chunks, chunk=320, recorder=None, until_idle=False)
    assert not isinstance(stopped.value, stopping.Terminated)
    assert [type(e) for e in dropped] == [KeyboardInterrupt]
    assert heard == [320], "it went on hearing after Ctrl-C"


def test_a_stop_lost_in_a_finaliser_prints_no_traceback(handlers, capsys):
    """A service told to stop writes "Stopped.", not Python's report of an exception dropped
    in a finaliser; anything else dropped there is still reported."""
    lost_in_a_finaliser(handlers[signal.SIGTERM])
    assert "Traceback" not in capsys.readouterr().err
    with pytest.raises(stopping.Terminated):
        stopping.check()

    def fails(_: object) -> None:
        raise ValueError("a real fault")
    thing = Thing()
    weakref.finalize(thing, fails, None)
    del thing
    assert "ValueError: a real fault" in capsys.readouterr().err
