"""Being asked to stop (Ctrl-C, or ``SIGTERM`` from a service manager or a shutdown).

Python raises a signal handler's exception wherever the main thread happens to be. If
that is inside a garbage collector's finaliser, the exception is printed ("Exception
ignored in ...") and dropped, and a service that was told to stop would go on waiting for
a microphone. So the request is also remembered here, and every loop that runs for long
asks for it between steps (``check``): a stop is never lost.
"""
from __future__ import annotations

import signal
import sys
import threading


class Terminated(KeyboardInterrupt):
    """Asked to stop with ``SIGTERM``."""


_asked: type[KeyboardInterrupt] | None = None


def on_signals() -> None:
    """Ctrl-C and ``SIGTERM`` end the program as an exception in the main thread (files it
    writes are finished, nothing is left half-written), remembered in case it is lost."""
    global _asked
    _asked = None
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: object) -> None:
        global _asked
        _asked = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        raise _asked

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.unraisablehook = _unraisable


def _unraisable(info: sys.UnraisableHookArgs) -> None:
    """A stop that landed in a finaliser is not printed as an error (a service's log would
    show a traceback for an ordinary stop): it is remembered, and ``check`` raises it again.
    Anything else Python drops is printed as it would be."""
    if isinstance(info.exc_value, KeyboardInterrupt) and _asked is not None:
        return
    sys.__unraisablehook__(info)


def check() -> None:
    """Raise the stop asked for, if one was (again, if it was lost on its way)."""
    if _asked is not None:
        raise _asked
