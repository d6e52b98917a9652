#!/usr/bin/env python3
"""Fetch the small English Vosk model into models/, checking its SHA-256 first.

This is the project's one explicit network step; the assistant never downloads.

    python scripts/download_model.py                 # download, verify, unpack
    python scripts/download_model.py --archive F.zip # verify and unpack a copy you already have
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

NAME = "vosk-model-small-en-us-0.15"
URL = f"https://alphacephei.com/vosk/models/{NAME}.zip"
# SHA-256 of the published archive (as also pinned by other projects that install it).
SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
MODELS = Path(__file__).resolve().parent.parent / "models"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, to: Path) -> None:
    print(f"Downloading {url}", file=sys.stderr)
    with urllib.request.urlopen(url, timeout=60) as response, open(to, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        while block := response.read(1 << 20):
            out.write(block)
            done += len(block)
            if total:
                print(f"\r  {done >> 20} of {total >> 20} MB", end="", file=sys.stderr)
    print(file=sys.stderr)


def unpack(archive: Path, into: Path, name: str) -> Path:
    """Unpack ``archive`` (one top folder called ``name``) into ``into``, refusing odd paths."""
    target = into / name
    with zipfile.ZipFile(archive) as z:
        for member in z.namelist():
            parts = Path(member).parts
            if member.startswith("/") or ".." in parts or not parts or parts[0] != name:
                raise ValueError(f"the archive holds an unexpected path: {member}")
        with tempfile.TemporaryDirectory(dir=into) as tmp:
            z.extractall(tmp)
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(Path(tmp) / name), target)
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", type=Path, help="a copy of the zip already on this machine")
    p.add_argument("--into", type=Path, default=MODELS, help="folder for models (models/)")
    p.add_argument("--url", default=URL, help=argparse.SUPPRESS)
    p.add_argument("--sha256", default=SHA256, help=argparse.SUPPRESS)
    p.add_argument("--name", default=NAME, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = args.archive
        if archive is None:
            archive = Path(tmp) / f"{args.name}.zip"
            try:
                download(args.url, archive)
            except OSError as exc:
                print(f"The model could not be downloaded ({exc}). Copy {args.name}.zip here "
                      "another way and run this again with --archive.", file=sys.stderr)
                return 1
        if not archive.is_file():
            print(f"{archive}: no such file.", file=sys.stderr)
            return 1
        found = sha256(archive)
        if found != args.sha256:
            print(f"{archive}: its SHA-256 is {found}, not the expected {args.sha256}; "
                  "it was not unpacked.", file=sys.stderr)
            return 1
        try:
            target = unpack(archive, args.into, args.name)
        except (ValueError, zipfile.BadZipFile) as exc:
            print(f"{archive}: not unpacked ({exc}).", file=sys.stderr)
            return 1
    print(f"The model is ready in {target}. Set listen.model to models/{args.name} "
          "(it is already, in the example config.yaml).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
