"""Each kind of bad input gives an error naming the file, column, count and an example row,
and a failed load leaves the earlier raw tables as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from python_assets.inputs.validation import InputValidationError, load_inputs, validate_inputs


def write_valid_inputs(folder: Path) -> Path:
    """A minimal, valid input folder as CSV: 2 stores, 2 products, 3 days."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "store_id": ["S1", "S2"],
            "city": ["Lyon", "Paris"],
            "region": ["South", "North"],
            "latitude": [45.76, 48.86],
            "longitude": [4.84, 2.35],
        }
    ).to_csv(folder / "stores.csv", index=False)
    pd.DataFrame(
        {
            "product_id": ["P1", "P2"],
            "category": ["Food", "Food"],
            "subcategory": ["Dairy", "Bakery"],
        }
    ).to_csv(folder / "products.csv", index=False)
    days = ["2025-01-01", "2025-01-02", "2025-01-03"]
    pd.DataFrame(
        {
            "date": days * 2,
            "store_id": ["S1"] * 3 + ["S2"] * 3,
            "product_id": ["P1"] * 6,
            "units_sold": [3, 4, 5, 1, 0, 2],
        }
    ).to_csv(folder / "sales_daily.csv", index=False)
    pd.DataFrame(
        {
            "store_id": ["S1", "S2"],
            "product_id": ["P1", "P1"],
            "on_hand_units": [10, 4],
            "snapshot_date": ["2025-01-03"] * 2,
        }
    ).to_csv(folder / "inventory_snapshot.csv", index=False)
    return folder


def edit_csv(folder: Path, table: str, edit) -> None:
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str)
    edit(frame).to_csv(path, index=False)


def single_problem(folder: Path):
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(folder)
    problems = caught.value.problems
    assert len(problems) == 1, caught.value
    return problems[0], str(caught.value)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return write_valid_inputs(tmp_path / "inputs")


def test_valid_inputs_pass_and_parquet_is_accepted(inputs: Path) -> None:
    files = validate_inputs(inputs)
    assert set(files) == {"stores", "products", "sales_daily", "inventory_snapshot"}
    pd.read_csv(inputs / "stores.csv").to_parquet(inputs / "stores.parquet")
    (inputs / "stores.csv").unlink()
    assert validate_inputs(inputs)["stores"].suffix == ".parquet"


def test_missing_file(inputs: Path) -> None:
    (inputs / "inventory_snapshot.csv").unlink()
    problem, message = single_problem(inputs)
    assert problem.kind == "required file missing"
    assert "inventory_snapshot" in problem.file and "inventory_snapshot" in message


def test_missing_required_column(inputs: Path) -> None:
    edit_csv(inputs, "products", lambda f: f.drop(columns=["subcategory"]))
    problem, _ = single_problem(inputs)
    assert (problem.kind, problem.column) == ("required column missing", "subcategory")
    assert problem.file.endswith("products.csv")


def test_wrong_type(inputs: Path) -> None:
    edit_csv(
        inputs, "sales_daily", lambda f: f.assign(units_sold=["3", "four", "5", "1", "0", "2"])
    )
    problem, message = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("units_sold", "not a valid double", 1)
    assert "'four'" in problem.example and "sales_daily.csv" in message


def test_duplicate_key(inputs: Path) -> None:
    edit_csv(inputs, "sales_daily", lambda f: pd.concat([f, f.iloc[[0]]]))
    problem, _ = single_problem(inputs)
    assert problem.kind == "duplicate key"
    assert problem.column == "date+store_id+product_id"
    assert problem.count == 2 and "S1" in problem.example


def test_negative_units(inputs: Path) -> None:
    edit_csv(inputs, "inventory_snapshot", lambda f: f.assign(on_hand_units=["10", "-4"]))
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("on_hand_units", "negative value", 1)
    assert "-4" in problem.example


@pytest.mark.parametrize("table", ["sales_daily", "inventory_snapshot"])
def test_unknown_store_id(inputs: Path, table: str) -> None:
    edit_csv(inputs, table, lambda f: f.assign(store_id=["S9", *f.store_id[1:]]))
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("store_id", "unknown stores id", 1)
    assert problem.file.endswith(f"{table}.csv") and "S9" in problem.example


def test_unknown_product_id(inputs: Path) -> None:
    edit_csv(inputs, "sales_daily", lambda f: f.assign(product_id=["P1"] * 4 + ["P7", "P7"]))
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("product_id", "unknown products id", 2)


def test_unparsable_date(inputs: Path) -> None:
    edit_csv(
        inputs,
        "sales_daily",
        lambda f: f.assign(date=["2025-01-01", "2025-01-02", "03/01/2025"] * 2),
    )
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("date", "unparsable date", 2)
    assert "03/01/2025" in problem.example


@pytest.mark.parametrize(("column", "value"), [("latitude", "91.5"), ("longitude", "-200")])
def test_coordinates_out_of_range(inputs: Path, column: str, value: str) -> None:
    edit_csv(inputs, "stores", lambda f: f.assign(**{column: [f[column][0], value]}))
    problem, _ = single_problem(inputs)
    assert problem.column == column and problem.kind.startswith("out of range")
    assert problem.count == 1 and value in problem.example


def test_all_problems_reported_at_once(inputs: Path) -> None:
    edit_csv(inputs, "stores", lambda f: f.assign(latitude=["100", "100"]))
    edit_csv(inputs, "inventory_snapshot", lambda f: f.assign(on_hand_units=["-1", "-4"]))
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(inputs)
    assert {p.column for p in caught.value.problems} == {"latitude", "on_hand_units"}


def test_failed_validation_leaves_loaded_tables_unchanged(inputs: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        load_inputs(con, validate_inputs(inputs))
        before = con.execute("select * from raw.sales_daily order by all").fetchall()
    bad = tmp_path / "bad"
    shutil.copytree(inputs, bad)
    edit_csv(bad, "sales_daily", lambda f: f.assign(units_sold=["-1"] * 6))
    with pytest.raises(InputValidationError):
        validate_inputs(bad)
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select * from raw.sales_daily order by all").fetchall() == before


def test_load_is_atomic(inputs: Path, tmp_path: Path) -> None:
    """A load that fails half-way (here: a file vanishes) rolls back every raw table."""
    warehouse = tmp_path / "warehouse.duckdb"
    files = validate_inputs(inputs)
    with duckdb.connect(str(warehouse)) as con:
        load_inputs(con, files)
        stores_before = con.execute("select count(*) from raw.stores").fetchone()
    (inputs / "stores.csv").write_text("store_id,city,region,latitude,longitude\nS1,A,B,1,1\n")
    (inputs / "sales_daily.csv").unlink()
    with duckdb.connect(str(warehouse)) as con:
        with pytest.raises(duckdb.Error):
            load_inputs(con, files)
        assert con.execute("select count(*) from raw.stores").fetchone() == stores_before


def test_optional_tables_load_empty_with_contract_columns(inputs: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        rows = load_inputs(con, validate_inputs(inputs))
        columns = [r[0] for r in con.execute("describe raw.customer_orders").fetchall()]
    assert rows["customer_orders"] == 0 and rows["sales_daily"] == 6
    assert columns[:5] == ["order_id", "customer_id", "order_date", "store_id", "amount"]
