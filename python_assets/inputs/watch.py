"""Fingerprint of a folder of input files, so a sensor can tell when new files have landed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from python_assets.inputs.contract import FILE_SUFFIXES


def input_fingerprint(folder: Path) -> str | None:
    """Hash of every input file's name, size and modification time; None if there are none."""
    files = (
        sorted(p for p in folder.glob("*") if p.suffix in FILE_SUFFIXES) if folder.is_dir() else []
    )
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
