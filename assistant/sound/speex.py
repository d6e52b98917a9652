"""SpeexDSP's echo canceller, through ctypes.

libspeexdsp (BSD licence; Debian's and Raspberry Pi OS's ``libspeexdsp1``) is loaded
from the system; nothing is compiled. Its echo canceller is a multidelay block
frequency-domain adaptive filter with its own double-talk handling. Its preprocessor's
residual echo suppression is not used: it took 6-10 dB more of the echo out, but it
reshapes a person's voice under it, and keyword spotting then heard one of eight flite
voices saying the pause phrase over the assistant, against five without it
(docs/benchmarks.md).
"""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import numpy as np

from . import AudioError

#: From speex/speex_echo.h.
ECHO_SET_SAMPLING_RATE = 24


@cache
def library() -> ctypes.CDLL:
    """libspeexdsp, loaded once; ``AudioError`` if it is not installed."""
    names = [ctypes.util.find_library("speexdsp"), "libspeexdsp.so.1", "libspeexdsp.dylib"]
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise AudioError("The echo canceller's library (libspeexdsp) is not installed; the "
                         "setup command installs it (Debian: libspeexdsp1).")
    state, pointer, integer = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int
    for name, result, args in [
            ("speex_echo_state_init", state, [integer, integer]),
            ("speex_echo_state_destroy", None, [state]),
            ("speex_echo_state_reset", None, [state]),
            ("speex_echo_ctl", integer, [state, integer, pointer]),
            ("speex_echo_cancellation", None, [state, pointer, pointer, pointer])]:
        function = getattr(lib, name)
        function.restype, function.argtypes = result, args
    return lib


class Speex:
    """One echo canceller: ``frame`` samples of microphone and of what was played at a time,
    int16, the echo modelled up to ``tail`` samples after what was played."""

    def __init__(self, *, frame: int, tail: int, rate: int):
        self.lib, self.frame, self.rate = library(), frame, rate
        self.state = self.lib.speex_echo_state_init(frame, tail)
        if not self.state:
            raise AudioError("The echo canceller could not be started (libspeexdsp).")
        self._rate()

    def _rate(self) -> None:
        self.lib.speex_echo_ctl(self.state, ECHO_SET_SAMPLING_RATE,
                                ctypes.byref(ctypes.c_int(self.rate)))

    def __call__(self, mic: np.ndarray, played: np.ndarray) -> np.ndarray:
        """``mic`` with the echo of ``played`` taken out (both ``frame`` int16 samples)."""
        mic = np.ascontiguousarray(mic, np.int16)
        played = np.ascontiguousarray(played, np.int16)
        out = np.empty(self.frame, np.int16)
        self.lib.speex_echo_cancellation(self.state, mic.ctypes.data, played.ctypes.data,
                                         out.ctypes.data)
        return out

    def reset(self) -> None:
        """Forget the echo path learned (it is learned again within seconds)."""
        self.lib.speex_echo_state_reset(self.state)
        self._rate()

    def __del__(self) -> None:
        if getattr(self, "state", None):
            self.lib.speex_echo_state_destroy(self.state)
