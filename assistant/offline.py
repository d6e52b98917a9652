"""Offline by construction: the process cannot open an internet socket at all.

Every command that can hear or speak installs, first thing, a seccomp filter
(through libseccomp, which every Debian system has) under which creating an
AF_INET or AF_INET6 socket fails with EPERM, for every thread of the process,
those already running included, and every program it starts: Python code and
native libraries alike (a library that phones home from C, as onnxruntime 1.29
and later do, gets an error). Local sockets (AF_UNIX: the sound server) work.
Where seccomp is not available, an audit hook refuses what Python itself would
do, and the user is told once that native code is not covered.
"""
from __future__ import annotations

import errno
import socket
import sys
from typing import Any

BLOCKED = (socket.AF_INET, socket.AF_INET6)
_done: list[str | None] = []  # once a process is offline it stays so: one filter is enough


def forbid_network() -> str | None:
    """Make internet sockets impossible from now on; returns a sentence for the user when
    only Python's own calls could be stopped (else None)."""
    if not _done:
        _done.append(install())
    return _done[0]


def install() -> str | None:
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, not only this one
        for family in BLOCKED:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), "socket",
                           seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
        return None
    except Exception as exc:  # not Linux, no libseccomp, or a kernel without seccomp
        sys.addaudithook(refuse_internet)
        return (f"The network could not be shut off for native code here ({exc}); "
                "Python's own connections are refused.")


def refuse_internet(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.__new__" and args and args[1] in BLOCKED:
        raise PermissionError(errno.EPERM, "this program never uses the network")
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        if event != "socket.connect" or args[0].family in BLOCKED:
            raise PermissionError(errno.EPERM, "this program never uses the network")
