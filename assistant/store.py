"""Where the assistant keeps what it learns and what the user records on purpose.

One folder per user, private to them: ``$GROUNDING_DATA``, else
``$XDG_DATA_HOME/grounding``, else ``~/.local/share/grounding``. Never the
checkout, never site-packages. Folders are made 0700 and files 0600, and
every file is written whole or not at all (written aside, synced, renamed).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def default_store() -> Path:
    """The user's data directory for this assistant (not created here)."""
    if os.environ.get("GROUNDING_DATA"):
        return Path(os.environ["GROUNDING_DATA"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "grounding"


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner can open, made if need be."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) so that a reader sees the old file or the new one,
    never half of one."""
    write_private_with(path, lambda f: f.write(data))


def write_private_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """As ``write_private``, with ``write`` writing straight into the file (no copy of
    the data in memory first)."""
    private_folder(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:  # mkstemp makes the file 0600
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
