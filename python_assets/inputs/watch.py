"""Fingerprint of a folder of input files, so a sensor can tell when new files have landed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from python_assets.inputs.contract import FILE_SUFFIXES


def input_files(folder: Path) -> list[Path]:
    """The input files in folder (none if it is missing), by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*") if p.suffix in FILE_SUFFIXES)


def input_fingerprint(files: list[Path]) -> str | None:
    """Hash of every input file's name, size and modification time; None if there are none."""
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def built_after_inputs(files: list[Path], warehouse: Path) -> bool:
    """Whether the warehouse file was last written after every one of the input files was."""
    return (
        bool(files)
        and warehouse.exists()
        and warehouse.stat().st_mtime > max(p.stat().st_mtime for p in files)
    )
