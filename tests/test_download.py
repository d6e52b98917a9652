"""scripts/download_model.py verifies before it unpacks (tested offline with a local archive)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

from .conftest import ROOT

SCRIPT = ROOT / "scripts" / "download_model.py"


def archive(tmp_path, names):
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def test_a_verified_archive_is_unpacked(tmp_path):
    path, digest = archive(tmp_path, ["m/am/final.mdl", "m/conf/model.conf"])
    result = run("--archive", path, "--sha256", digest, "--name", "m",
                 "--into", tmp_path / "models")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "models" / "m" / "am" / "final.mdl").is_file()


def test_a_wrong_checksum_is_refused_and_nothing_unpacked(tmp_path):
    path, _ = archive(tmp_path, ["m/am/final.mdl"])
    result = run("--archive", path, "--sha256", "0" * 64, "--name", "m", "--into", tmp_path / "out")
    assert result.returncode == 1
    assert "SHA-256" in result.stderr and not (tmp_path / "out" / "m").exists()


def test_paths_outside_the_model_folder_are_refused(tmp_path):
    path, digest = archive(tmp_path, ["m/ok", "../evil"])
    result = run("--archive", path, "--sha256", digest, "--name", "m", "--into", tmp_path / "out")
    assert result.returncode == 1 and "unexpected path" in result.stderr
