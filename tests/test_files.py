"""The one atomic replace helper: a reader sees the old file or folder or the new one, never
half of one, and a failure leaves the old one in place."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from python_assets import files


def test_write_text_atomic_writes_a_readable_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "page.html"
    files.write_text_atomic(target, "first é\n")
    files.write_text_atomic(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_write_text_atomic_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")

    def refuse(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        files.write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_replace_atomic_swaps_a_file_and_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "t.parquet").write_text("2")
    link = tmp_path / "current"
    os.symlink("v1", link)
    staged_link = tmp_path / ".current.tmp"
    os.symlink("v2", staged_link)
    (tmp_path / "db").write_text("old")
    (tmp_path / "db.tmp").write_text("new")
    files.replace_atomic((tmp_path / "db.tmp", tmp_path / "db"), (staged_link, link))
    assert (tmp_path / "db").read_text() == "new"
    assert os.readlink(link) == "v2" and (link / "t.parquet").read_text() == "2"
    assert not staged_link.exists() and not (tmp_path / "db.tmp").exists()


def make_folder(path: Path, content: str) -> Path:
    path.mkdir()
    (path / f"{content}.csv").write_text(content)
    return path


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two_renames"])
def test_replace_folder_atomic_replaces_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:  # a system or file system without renameat2 RENAME_EXCHANGE
        monkeypatch.setattr(files, "_exchange", lambda _a, _b: False)
    target = make_folder(tmp_path / "input", "old")
    files.replace_folder_atomic(make_folder(tmp_path / "input.new", "new"), target)
    assert sorted(p.name for p in target.iterdir()) == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input"]  # old folder deleted


def test_replace_folder_atomic_exchanges_in_one_step_on_linux(tmp_path: Path) -> None:
    first, second = make_folder(tmp_path / "a", "a"), make_folder(tmp_path / "b", "b")
    if not files._exchange(first, second):
        pytest.skip("this file system cannot exchange two paths")
    assert (first / "b.csv").exists() and (second / "a.csv").exists()


def test_replace_folder_atomic_creates_a_missing_target(tmp_path: Path) -> None:
    target = tmp_path / "input"
    files.replace_folder_atomic(make_folder(tmp_path / "scratch", "new"), target)
    assert (target / "new.csv").read_text() == "new"


def test_replace_folder_atomic_replaces_a_symlink_not_its_folder(tmp_path: Path) -> None:
    kept = make_folder(tmp_path / "elsewhere", "kept")
    target = tmp_path / "input"
    os.symlink(kept, target)
    files.replace_folder_atomic(make_folder(tmp_path / "scratch", "new"), target)
    assert not target.is_symlink() and (target / "new.csv").exists()
    assert (kept / "kept.csv").exists()  # the linked folder is not deleted


def test_replace_folder_atomic_refuses_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="missing"):
        files.replace_folder_atomic(tmp_path / "missing", tmp_path / "input")
    (tmp_path / "input").write_text("a file")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        files.replace_folder_atomic(make_folder(tmp_path / "new", "new"), tmp_path / "input")
    assert (tmp_path / "input").read_text() == "a file"


def test_prune_old_folders_keeps_the_newest_and_the_recent(tmp_path: Path) -> None:
    now = time.time()
    ages_days = {"run-a": 9, "run-b": 5, "run-c": 3, "run-d": 2, "run-e": 0.1}
    for name, age in ages_days.items():
        (tmp_path / name).mkdir()
        os.utime(tmp_path / name, (now - age * 86400,) * 2)
    (tmp_path / "manifest.json").write_text("{}")  # not a run folder
    os.utime(tmp_path / "manifest.json", (now - 30 * 86400,) * 2)
    # keep the two newest (e, d); of the others, c is younger than 4 days
    deleted = files.prune_old_folders(tmp_path, "run-*", keep=2, min_age_s=4 * 86400)
    assert sorted(p.name for p in deleted) == ["run-a", "run-b"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "run-c",
        "run-d",
        "run-e",
    ]
