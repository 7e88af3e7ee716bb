"""The Parquet hand-off (python_assets/handoff.py): tables written whole or by part, read back as
one, replaced all or nothing, and the same relation dbt's sources read; in a local folder and on
object storage (a local S3 server, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from python_assets import handoff


@pytest.fixture(params=["local", "s3"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> handoff.Root:
    return tmp_path if request.param == "local" else request.getfixturevalue("s3_root")


def names(root: handoff.Root, *parts: str) -> list[str]:
    """The names in a folder of the hand-off (hidden ones too), on its own filesystem."""
    return sorted(handoff.names(root, *parts, "*"))


def test_tables_written_by_part_read_back_as_one_and_whole_replaces_the_parts(root):
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [1, 2]})}, part="shard-0")
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [3], "y": ["a"]})}, part="shard-1")
    both = handoff.read_table(root, "s", "t").sort_values("x")
    assert both["x"].tolist() == [1, 2, 3]
    assert both["y"].isna().tolist() == [True, True, False]  # parts may differ in columns
    assert sorted(handoff.read_table(root, "s", "t", "x > 1")["x"]) == [2, 3]
    assert handoff.row_counts(root) == [("s", "t", 3)]

    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [9]})})
    assert handoff.read_table(root, "s", "t")["x"].tolist() == [9]
    assert names(root, "s", "t") == ["all.parquet"]
    with handoff.connect(root) as con:  # the views dbt's source names give
        assert con.execute("select x from s.t").fetchall() == [(9,)]


def test_a_failed_write_changes_no_table(root):
    handoff.write_tables(root, "s", {"a": pd.DataFrame({"x": [1]})})
    with duckdb.connect() as con, pytest.raises(duckdb.CatalogException, match="nowhere"):
        # the second table fails after the first was staged
        handoff.write_queries(con, root, "s", {"a": "select 2 as x", "b": "from nowhere"})
    assert handoff.read_table(root, "s", "a")["x"].tolist() == [1]
    assert names(root, "s", "b") == []
    assert names(root, "s", "a") == ["all.parquet"]


def test_reading_a_table_never_written_names_its_folder(root):
    with pytest.raises(FileNotFoundError, match=r"s\.missing: no Parquet file in .*s/missing"):
        handoff.read_table(root, "s", "missing")


def test_a_product_partition_replaces_the_whole_table_and_other_counts_not_its_siblings(root):
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [0]})})
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [1]})}, part="shard-1-of-2")
    assert names(root, "s", "t") == ["shard-1-of-2.parquet"]
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [2]})}, part="shard-2-of-2")
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [3]})}, part="shard-1-of-2")
    assert sorted(handoff.read_table(root, "s", "t")["x"]) == [2, 3]
    # another partition count: the two old partitions go, a run's file (history) stays
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [4]})}, part="run-1")
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [5]})}, part="shard-1-of-3")
    assert names(root, "s", "t") == ["run-1.parquet", "shard-1-of-3.parquet"]


def test_an_object_handed_over_reads_back_and_is_not_a_table(root):
    with pytest.raises(FileNotFoundError, match=r"s\.fitted: no .*fitted\.pickle"):
        handoff.read_object(root, "s", "fitted")
    handoff.write_tables(root, "s", {"t": pd.DataFrame({"x": [1]})})
    handoff.write_object(root, "s", "fitted", {"choice": {"smooth": "ets"}})
    handoff.write_object(root, "s", "fitted", {"choice": {"smooth": "sba"}})
    assert handoff.read_object(root, "s", "fitted") == {"choice": {"smooth": "sba"}}
    assert handoff.tables(root) == [("s", "t")]
    assert names(root, "s") == ["fitted.pickle", "t"]


def test_a_url_is_joined_as_a_url_and_a_folder_as_a_path(tmp_path: Path):
    assert handoff.join("s3://bucket/prefix/", "s", "t") == "s3://bucket/prefix/s/t"
    assert handoff.join(tmp_path, "s", "t") == str(tmp_path / "s" / "t")
    assert handoff.is_url("gs://b") and not handoff.is_url(tmp_path)
