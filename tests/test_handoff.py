"""The Parquet hand-off (python_assets/handoff.py): tables written whole or by part, read back as
one, replaced all or nothing, and the same relation dbt's sources read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from python_assets import handoff


def test_tables_written_by_part_read_back_as_one_and_whole_replaces_the_parts(tmp_path: Path):
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [1, 2]})}, part="shard-0")
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [3], "y": ["a"]})}, part="shard-1")
    both = handoff.read_table(tmp_path, "s", "t").sort_values("x")
    assert both["x"].tolist() == [1, 2, 3]
    assert both["y"].isna().tolist() == [True, True, False]  # parts may differ in columns
    assert sorted(handoff.read_table(tmp_path, "s", "t", "x > 1")["x"]) == [2, 3]

    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [9]})})
    assert handoff.read_table(tmp_path, "s", "t")["x"].tolist() == [9]
    assert [p.name for p in (tmp_path / "s" / "t").iterdir()] == ["all.parquet"]


def test_a_failed_write_changes_no_table(tmp_path: Path):
    handoff.write_tables(tmp_path, "s", {"a": pd.DataFrame({"x": [1]})})
    with duckdb.connect() as con, pytest.raises(duckdb.CatalogException, match="nowhere"):
        # the second table fails after the first was staged
        handoff.write_queries(con, tmp_path, "s", {"a": "select 2 as x", "b": "from nowhere"})
    assert handoff.read_table(tmp_path, "s", "a")["x"].tolist() == [1]
    assert list((tmp_path / "s" / "b").iterdir()) == []
    assert [p.name for p in (tmp_path / "s" / "a").iterdir()] == ["all.parquet"]


def test_reading_a_table_never_written_names_its_folder(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"s\.missing: no Parquet file in .*s/missing"):
        handoff.read_table(tmp_path, "s", "missing")


def test_a_product_partition_replaces_the_whole_table_and_other_counts_not_its_siblings(
    tmp_path: Path,
):
    folder = tmp_path / "s" / "t"
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [0]})})
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [1]})}, part="shard-1-of-2")
    assert sorted(p.name for p in folder.iterdir()) == ["shard-1-of-2.parquet"]
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [2]})}, part="shard-2-of-2")
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [3]})}, part="shard-1-of-2")
    assert sorted(handoff.read_table(tmp_path, "s", "t")["x"]) == [2, 3]
    # another partition count: the two old partitions go, a run's file (history) stays
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [4]})}, part="run-1")
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [5]})}, part="shard-1-of-3")
    assert sorted(p.name for p in folder.iterdir()) == ["run-1.parquet", "shard-1-of-3.parquet"]


def test_an_object_handed_over_reads_back_and_is_not_a_table(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match=r"s\.fitted: no .*fitted\.pickle"):
        handoff.read_object(tmp_path, "s", "fitted")
    handoff.write_tables(tmp_path, "s", {"t": pd.DataFrame({"x": [1]})})
    handoff.write_object(tmp_path, "s", "fitted", {"choice": {"smooth": "ets"}})
    handoff.write_object(tmp_path, "s", "fitted", {"choice": {"smooth": "sba"}})
    assert handoff.read_object(tmp_path, "s", "fitted") == {"choice": {"smooth": "sba"}}
    assert handoff.tables(tmp_path) == [("s", "t")]
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["fitted.pickle", "t"]
