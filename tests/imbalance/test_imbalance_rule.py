"""The Z-score rule on the tiny demo network: it finds the planted imbalances, and each of its
dbt invariant tests fails when the property it guards is broken."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from python_assets.settings import DBT_PROJECT_DIR
from tests.conftest import BuiltWarehouse

# one corruption per invariant test; each touches rows the others do not read
CORRUPTIONS = {
    "test_imbalance__units_out_equal_units_in": """
        update intermediate.int_store_subcategory_after_moves set units_out = units_out + 1
        where rowid = (select min(rowid) from intermediate.int_store_subcategory_after_moves where units_out > 0)""",
    "test_imbalance__no_donor_below_floor": """
        update intermediate.int_rebalancing_moves set units = units + 100000
        where move_id = (select min(move_id) from intermediate.int_rebalancing_moves)""",
    "test_imbalance__moves_within_cluster": """
        update intermediate.int_rebalancing_moves set cluster_id = 'another cluster'
        where move_id = (select max(move_id) from intermediate.int_rebalancing_moves)""",
    "test_imbalance__z_recomputes": """
        update marts.imbalanced_zscore_analysis set z_score = z_score + 0.01
        where rowid = (select min(rowid) from marts.imbalanced_zscore_analysis where imbalance_flag = 'balanced')""",
    "test_imbalance__flags_exceed_threshold": """
        update marts.imbalanced_zscore_analysis set imbalance_flag = 'under'
        where rowid = (select max(rowid) from marts.imbalanced_zscore_analysis where z_score > 0)""",
    "test_imbalance__dispersion_does_not_grow": """
        update intermediate.int_store_subcategory_after_moves set metric_after = metric_after * 10
        where rowid = (select min(rowid) from intermediate.int_store_subcategory_after_moves where units_in > 0)""",
}


def run_invariant_tests() -> dict[str, str]:
    result = dbtRunner().invoke(
        ["test", "--select", "tag:imbalance_invariants", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    )  # fmt: skip
    return {r.node.name: str(r.status) for r in result.result}


def test_rule_finds_the_planted_imbalances(built_warehouse: BuiltWarehouse) -> None:
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        planted, flagged, found, recall = con.execute(
            "select planted_cases, flagged_cases, planted_cases_flagged_same_direction, recall "
            "from marts.imbalance_rule_evaluation"
        ).fetchone()
        moves = con.execute(
            "select count(*), sum(move_units) from marts.imbalanced_detailed_cases"
        ).fetchone()
        stores = con.execute("select count(*) from marts.imbalanced_rule_results").fetchone()[0]
    assert planted >= 2 and recall >= 0.8 and found / planted >= 0.8
    assert found > flagged / 2  # most flags are planted ones
    assert moves[0] > 0 and moves[1] > 0 and stores == 12


def test_invariant_tests_pass_then_fail_on_corrupted_tables(
    built_warehouse: BuiltWarehouse, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "corrupted.duckdb"
    shutil.copy(built_warehouse.settings.duckdb_path, copy)
    monkeypatch.setenv("DUCKDB_PATH", str(copy))
    assert set(run_invariant_tests().values()) == {"pass"}
    with duckdb.connect(str(copy)) as con:
        for statement in CORRUPTIONS.values():
            con.execute(statement)
    statuses = run_invariant_tests()
    assert statuses == {name: "fail" for name in CORRUPTIONS}


def test_step8_csv_export_writes_the_three_outputs(
    built_warehouse: BuiltWarehouse, tmp_path
) -> None:
    from python_assets.imbalance.exports import export_tables_csv

    tables = [
        f"marts.{t}"
        for t in (
            "imbalanced_rule_results",
            "imbalanced_detailed_cases",
            "imbalanced_zscore_analysis",
        )
    ]
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        rows = export_tables_csv(con, tables, tmp_path)
        expected = {
            t.split(".")[1]: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables
        }
    assert rows == expected
    for name, n in expected.items():
        assert len((tmp_path / f"{name}.csv").read_text().splitlines()) == n + 1
