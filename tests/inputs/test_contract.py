"""Each kind of bad input gives an error naming the file, column, count and an example row,
and a failed load leaves the earlier raw tables as they were."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from python_assets import handoff
from python_assets.inputs.contract import (
    INPUT_TABLES,
    MAX_DAILY_UNITS,
    MAX_STOCK_UNITS,
    SALES_DAILY,
)
from python_assets.inputs.validation import (
    UNPARSABLE_DATE,
    InputValidationError,
    load_inputs,
    validate_inputs,
)


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


def single_problem(folder: Path, today: date | None = None):
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(folder, today=today)
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
    problem, message = single_problem(inputs)
    assert (problem.kind, problem.column) == ("required column missing", "subcategory")
    assert problem.file.endswith("products.csv")
    # every row lacks it: the count is the file's rows, the example its first row
    rows = len(pd.read_csv(inputs / "products.csv"))
    assert problem.count == rows and f"in {rows} rows" in message
    assert problem.example.startswith("{product_id=") and "subcategory=" not in problem.example


def test_one_day_written_with_and_without_a_time_is_a_duplicate_key(inputs: Path) -> None:
    """A timestamp reads as its day: the same store x product x day twice, once with a time of
    day, is a duplicate key for the input check (it passed the check before)."""

    def with_a_time(frame: pd.DataFrame) -> pd.DataFrame:
        again = frame.iloc[[0]].assign(date=frame["date"].iloc[0] + " 13:45:00")
        return pd.concat([frame, again])

    edit_csv(inputs, "sales_daily", with_a_time)
    problem, _ = single_problem(inputs)
    assert (problem.kind, problem.column, problem.count) == (
        "duplicate key",
        "date+store_id+product_id",
        2,
    )


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
    assert (problem.column, problem.kind, problem.count) == (
        "store_id",
        "unknown id (not in stores)",
        1,
    )
    assert problem.file.endswith(f"{table}.csv") and "S9" in problem.example


def test_unknown_product_id(inputs: Path) -> None:
    edit_csv(inputs, "sales_daily", lambda f: f.assign(product_id=["P1"] * 4 + ["P7", "P7"]))
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (
        "product_id",
        "unknown id (not in products)",
        2,
    )


def test_unparsable_date(inputs: Path) -> None:
    edit_csv(
        inputs,
        "sales_daily",
        lambda f: f.assign(date=["2025-01-01", "2025-01-02", "03/01/2025"] * 2),
    )
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.count) == ("date", 2)
    assert problem.kind == UNPARSABLE_DATE
    assert "YYYY-MM-DD" in problem.kind and "INPUT_DATE_FORMAT" in problem.kind
    assert "03/01/2025" in problem.example


def test_a_date_format_reads_dates_written_another_way(inputs: Path, tmp_path: Path) -> None:
    """dd.mm.yyyy dates load as the same days with INPUT_DATE_FORMAT %d.%m.%Y (ISO dates still
    pass); a date in neither form is still reported, as it was written."""
    edit_csv(
        inputs,
        "sales_daily",
        lambda f: f.assign(date=["01.01.2025", "2025-01-02", "03.01.2025"] * 2),
    )
    edit_csv(inputs, "inventory_snapshot", lambda f: f.assign(snapshot_date="03.01.2025"))
    with pytest.raises(InputValidationError) as caught:  # without the setting
        validate_inputs(inputs)
    assert {(p.column, p.kind) for p in caught.value.problems} == {
        ("date", UNPARSABLE_DATE),
        ("snapshot_date", UNPARSABLE_DATE),
    }
    files = validate_inputs(inputs, date_format="%d.%m.%Y")
    load_inputs(tmp_path, files, "%d.%m.%Y")
    with handoff.connect(tmp_path) as con:
        days = con.execute("select distinct date from raw.sales_daily order by 1").fetchall()
        snapshot = con.execute(
            "select distinct snapshot_date from raw.inventory_snapshot"
        ).fetchall()
    assert [d for (d,) in days] == [date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)]
    assert snapshot == [(date(2025, 1, 3),)]
    edit_csv(inputs, "sales_daily", lambda f: f.assign(date=["1/1/25"] * 6))
    with pytest.raises(InputValidationError, match="1/1/25"):
        validate_inputs(inputs, date_format="%d.%m.%Y")


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
    root = tmp_path / "handoff"
    load_inputs(root, validate_inputs(inputs))
    with handoff.connect(root) as con:
        before = con.execute("select * from raw.sales_daily order by all").fetchall()
    bad = tmp_path / "bad"
    shutil.copytree(inputs, bad)
    edit_csv(bad, "sales_daily", lambda f: f.assign(units_sold=["-1"] * 6))
    with pytest.raises(InputValidationError):
        validate_inputs(bad)
    with handoff.connect(root) as con:
        assert con.execute("select * from raw.sales_daily order by all").fetchall() == before


def test_load_is_atomic(inputs: Path, tmp_path: Path) -> None:
    """A load that fails half-way (here: a file vanishes) changes no raw table."""
    root = tmp_path / "handoff"
    files = validate_inputs(inputs)
    load_inputs(root, files)
    with handoff.connect(root) as con:
        stores_before = con.execute("select count(*) from raw.stores").fetchone()
    (inputs / "stores.csv").write_text("store_id,city,region,latitude,longitude\nS1,A,B,1,1\n")
    (inputs / "sales_daily.csv").unlink()
    with pytest.raises(duckdb.Error):
        load_inputs(root, files)
    with handoff.connect(root) as con:
        assert con.execute("select count(*) from raw.stores").fetchone() == stores_before


def test_optional_tables_load_empty_with_contract_columns(inputs: Path, tmp_path: Path) -> None:
    rows = load_inputs(tmp_path, validate_inputs(inputs))
    with handoff.connect(tmp_path) as con:
        columns = [r[0] for r in con.execute("describe raw.customer_orders").fetchall()]
    assert rows["customer_orders"] == 0 and rows["sales_daily"] == 6
    assert columns[:5] == ["order_id", "customer_id", "order_date", "store_id", "amount"]


# --- planned covariates (optional: known future discounts, promotions, holidays, weather) -----


def write_planned_covariates(folder: Path) -> Path:
    """Two forecast days after the last sales day (2025-01-03) for both stores' product P1."""
    pd.DataFrame(
        {
            "store_id": ["S1", "S1", "S2", "S2"],
            "product_id": ["P1"] * 4,
            "date": ["2025-01-04", "2025-01-05"] * 2,
            "discount": [0.8, 1.0, 1.0, 1.0],
            "promo_flag": ["true", "false", "false", "false"],
            "holiday_flag": ["false"] * 4,
            "avg_temperature": [3.5, 4.0, 2.0, 1.5],
        }
    ).to_csv(folder / "planned_covariates.csv", index=False)
    return folder


def test_planned_covariates_pass_and_load(inputs: Path, tmp_path: Path) -> None:
    files = validate_inputs(write_planned_covariates(inputs))
    assert "planned_covariates" in files
    rows = load_inputs(tmp_path, files)
    with handoff.connect(tmp_path) as con:
        loaded = con.execute(
            "select date, discount, promo_flag, precipitation from raw.planned_covariates "
            "where store_id = 'S1' order by date"
        ).fetchall()
    assert rows["planned_covariates"] == 4
    assert [(str(d), x, p, w) for d, x, p, w in loaded] == [
        ("2025-01-04", 0.8, True, None),
        ("2025-01-05", 1.0, False, None),
    ]


def test_planned_covariates_load_empty_when_absent(inputs: Path, tmp_path: Path) -> None:
    rows = load_inputs(tmp_path, validate_inputs(inputs))
    with handoff.connect(tmp_path) as con:
        columns = [r[0] for r in con.execute("describe raw.planned_covariates").fetchall()]
    assert rows["planned_covariates"] == 0
    assert columns[:4] == ["date", "store_id", "product_id", "discount"]


@pytest.mark.parametrize(
    ("dates", "count", "kind", "example"),
    [
        (
            ["2025-01-03", "2025-01-05", "2025-01-02", "2025-01-05"],
            2,
            "not after the last sales day 2025-01-03",
            "2025-01-0",
        ),
        (
            ["2025-01-04", "2026-01-04", "2025-01-04", "2026-01-05"],
            1,
            "more than 366 days after the last sales day 2025-01-03",
            "2026-01-05",
        ),
    ],
    ids=["on_or_before_the_last_sales_day", "more_than_366_days_ahead"],
)
def test_planned_covariates_must_follow_the_sales_history_within_a_year(
    inputs: Path, dates: list[str], count: int, kind: str, example: str
) -> None:
    write_planned_covariates(inputs)
    edit_csv(inputs, "planned_covariates", lambda f: f.assign(date=dates))
    problem, message = single_problem(inputs)
    assert (problem.column, problem.count) == ("date", count)
    assert problem.kind == kind
    assert "planned_covariates.csv" in message and example in problem.example


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("store_id", "S9", "unknown id (not in stores)"),
        ("product_id", "P9", "unknown id (not in products)"),
        ("discount", "cheap", "not a valid double"),
        ("discount", "-0.5", "negative value"),
        ("promo_flag", "maybe", "not a valid boolean"),
        ("date", "next monday", UNPARSABLE_DATE),
    ],
)
def test_planned_covariates_bad_value(inputs: Path, column: str, value: str, kind: str) -> None:
    write_planned_covariates(inputs)
    edit_csv(inputs, "planned_covariates", lambda f: f.assign(**{column: [value, *f[column][1:]]}))
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(inputs)
    problem = next(p for p in caught.value.problems if p.column == column)
    assert (problem.kind, problem.count) == (kind, 1)
    assert problem.file.endswith("planned_covariates.csv") and value in problem.example


def test_planned_covariates_duplicate_day(inputs: Path) -> None:
    write_planned_covariates(inputs)
    edit_csv(inputs, "planned_covariates", lambda f: pd.concat([f, f.iloc[[1]]]))
    problem, _ = single_problem(inputs)
    assert (problem.kind, problem.column, problem.count) == (
        "duplicate key",
        "date+store_id+product_id",
        2,
    )


def test_planned_covariates_need_their_keys(inputs: Path) -> None:
    write_planned_covariates(inputs)
    edit_csv(inputs, "planned_covariates", lambda f: f.drop(columns=["date"]))
    problem, _ = single_problem(inputs)
    assert (problem.kind, problem.column) == ("required column missing", "date")


# --------------------------------------------------------------------------- inventory history


def add_snapshot_dates(folder: Path, dates: list[str]) -> None:
    """Repeat the inventory snapshot on each of `dates` (history before the latest date)."""
    edit_csv(
        folder,
        "inventory_snapshot",
        lambda f: pd.concat([f, *(f.assign(snapshot_date=d) for d in dates)]),
    )


def test_inventory_history_passes_and_loads_every_date(inputs: Path, tmp_path: Path) -> None:
    add_snapshot_dates(inputs, ["2025-01-01", "2025-01-02"])
    files = validate_inputs(inputs)
    rows = load_inputs(tmp_path, files)
    with handoff.connect(tmp_path) as con:
        dates = con.execute(
            "select count(distinct snapshot_date) from raw.inventory_snapshot"
        ).fetchone()[0]
    assert (rows["inventory_snapshot"], dates) == (6, 3)


def test_inventory_snapshot_after_the_last_sales_day(inputs: Path) -> None:
    add_snapshot_dates(inputs, ["2025-01-04"])
    problem, message = single_problem(inputs)
    assert (problem.column, problem.count) == ("snapshot_date", 2)
    assert problem.kind == "after the last sales day 2025-01-03"
    assert "inventory_snapshot.csv" in message and "2025-01-04" in problem.example


def test_inventory_duplicate_on_one_snapshot_date(inputs: Path) -> None:
    add_snapshot_dates(inputs, ["2025-01-02"])
    edit_csv(inputs, "inventory_snapshot", lambda f: pd.concat([f, f.iloc[[3]]]))
    problem, _ = single_problem(inputs)
    assert (problem.kind, problem.column, problem.count) == (
        "duplicate key",
        "store_id+product_id+snapshot_date",
        2,
    )
    assert "S2" in problem.example and "2025-01-02" in problem.example


# ------------------------------------------------------------- non-finite and absurd values


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-Infinity", "1e400"])
def test_non_finite_number_in_a_csv(inputs: Path, value: str) -> None:
    edit_csv(inputs, "sales_daily", lambda f: f.assign(units_sold=[value, *f.units_sold[1:]]))
    problem, message = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (
        "units_sold",
        "not a finite number (NaN or infinity)",
        1,
    )
    assert value in problem.example and "sales_daily.csv" in message


def test_infinity_in_a_parquet_file(inputs: Path) -> None:
    frame = pd.read_csv(inputs / "inventory_snapshot.csv")
    frame.assign(on_hand_units=[10.0, float("inf")]).to_parquet(
        inputs / "inventory_snapshot.parquet"
    )
    (inputs / "inventory_snapshot.csv").unlink()
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (
        "on_hand_units",
        "not a finite number (NaN or infinity)",
        1,
    )
    assert problem.file.endswith("inventory_snapshot.parquet")


@pytest.mark.parametrize(
    ("table", "column", "value", "kind"),
    [
        ("sales_daily", "units_sold", "2000000", f"above the maximum {MAX_DAILY_UNITS}"),
        ("inventory_snapshot", "on_hand_units", "2e7", f"above the maximum {MAX_STOCK_UNITS}"),
        ("sales_daily", "avg_temperature", "150", "out of range [-90, 60]"),
        ("sales_daily", "avg_humidity", "130", "out of range [0, 100]"),
        ("sales_daily", "precipitation", "-3", "out of range [0, 2000]"),
        ("sales_daily", "avg_wind_level", "40", "out of range [0, 17]"),
    ],
)
def test_value_beyond_the_columns_stated_bounds(
    inputs: Path, table: str, column: str, value: str, kind: str
) -> None:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        valid = frame[column] if column in frame else ["1"] * len(frame)
        return frame.assign(**{column: [value, *list(valid)[1:]]})

    edit_csv(inputs, table, edit)
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (column, kind, 1)
    assert value in problem.example and problem.file.endswith(f"{table}.csv")


def test_values_at_the_stated_bounds_pass(inputs: Path) -> None:
    edit_csv(
        inputs,
        "sales_daily",
        lambda f: f.assign(
            units_sold=[str(MAX_DAILY_UNITS), *f.units_sold[1:]],
            avg_temperature=["-90", "60", "20", "20", "20", "20"],
            avg_humidity=["0", "100", "50", "50", "50", "50"],
        ),
    )
    edit_csv(inputs, "inventory_snapshot", lambda f: f.assign(on_hand_units=[MAX_STOCK_UNITS, 4]))
    assert validate_inputs(inputs)


def test_weather_columns_carry_physical_bounds() -> None:
    for name in ("precipitation", "avg_temperature", "avg_humidity", "avg_wind_level"):
        column = SALES_DAILY.column(name)
        assert column.min_value is not None and column.max_value is not None, name


# ------------------------------------------------------------------------- empty tables


@pytest.mark.parametrize(
    "table", [t.name for t in INPUT_TABLES if t.required], ids=lambda name: name
)
def test_required_table_with_a_header_and_no_rows(inputs: Path, table: str) -> None:
    edit_csv(inputs, table, lambda f: f.iloc[:0])
    problem, message = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == ("-", "required table has no rows", 0)
    assert problem.file.endswith(f"{table}.csv") and f"{table}.csv" in message


def test_optional_table_with_no_rows_passes(inputs: Path) -> None:
    write_planned_covariates(inputs)
    edit_csv(inputs, "planned_covariates", lambda f: f.iloc[:0])
    assert "planned_covariates" in validate_inputs(inputs)


# ------------------------------------------------------------ dates far outside the history


def test_dates_after_tomorrow_are_in_the_future(inputs: Path) -> None:
    """The sample's last day is 2025-01-03: run on 2025-01-02 it is tomorrow (allowed), run on
    2025-01-01 it is two days ahead in both the sales and the inventory snapshot."""
    assert validate_inputs(inputs, today=date(2025, 1, 2))
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(inputs, today=date(2025, 1, 1))
    found = {(p.file.split("/")[-1], p.column, p.count) for p in caught.value.problems}
    assert found == {("sales_daily.csv", "date", 2), ("inventory_snapshot.csv", "snapshot_date", 2)}
    kinds = {p.kind for p in caught.value.problems}
    assert kinds == {"in the future: after 2025-01-02 (today 2025-01-01 + 1 day)"}
    assert all("2025-01-03" in p.example for p in caught.value.problems)


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("sales_daily", "date", "1899-12-31"),
        ("inventory_snapshot", "snapshot_date", "1812-01-03"),
        ("stores", "opened_on", "1850-06-01"),
    ],
)
def test_date_before_1900(inputs: Path, table: str, column: str, value: str) -> None:
    edit_csv(
        inputs,
        table,
        lambda f: f.assign(
            **{column: [value, *(f[column][1:] if column in f else ["2020-01-01"] * (len(f) - 1))]}
        ),
    )
    problem, _ = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (column, "before 1900-01-01", 1)
    assert value in problem.example and problem.file.endswith(f"{table}.csv")


def test_planned_covariates_are_not_judged_against_today(inputs: Path) -> None:
    """Planned days lie ahead by design: a run on the last sales day still accepts them."""
    write_planned_covariates(inputs)
    assert "planned_covariates" in validate_inputs(inputs, today=date(2025, 1, 3))


def test_inventory_snapshot_before_the_first_sales_day(inputs: Path) -> None:
    add_snapshot_dates(inputs, ["2024-12-31"])
    problem, message = single_problem(inputs)
    assert (problem.column, problem.count) == ("snapshot_date", 2)
    assert problem.kind == "before the first sales day 2025-01-01"
    assert "inventory_snapshot.csv" in message and "2024-12-31" in problem.example


# ------------------------------------------------------------------ ids and coordinates


@pytest.mark.parametrize("spaced", [" S1", "S1 ", "  S1  "])
def test_ids_that_differ_only_by_surrounding_spaces(inputs: Path, spaced: str) -> None:
    edit_csv(
        inputs,
        "stores",
        lambda f: pd.concat([f, f.iloc[[0]].assign(store_id=spaced, latitude="45.0")]),
    )
    problem, message = single_problem(inputs)
    assert (problem.column, problem.kind, problem.count) == (
        "store_id",
        "ids that differ only by surrounding spaces",
        2,
    )
    assert "stores.csv" in message and "S1" in problem.example


def test_spaced_id_in_a_referencing_table(inputs: Path) -> None:
    edit_csv(inputs, "sales_daily", lambda f: f.assign(store_id=[" S1", *f.store_id[1:]]))
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(inputs)
    kinds = {(p.column, p.kind, p.count) for p in caught.value.problems}
    assert ("store_id", "ids that differ only by surrounding spaces", 3) in kinds
    assert ("store_id", "unknown id (not in stores)", 1) in kinds


def test_every_store_at_one_coordinate(inputs: Path) -> None:
    edit_csv(inputs, "stores", lambda f: f.assign(latitude="45.76", longitude="4.84"))
    problem, message = single_problem(inputs)
    assert (problem.column, problem.count) == ("latitude+longitude", 2)
    assert problem.kind == "all 2 stores at one coordinate (every transfer would cost nothing)"
    assert "stores.csv" in message and "45.76" in problem.example


def test_a_single_store_may_have_any_coordinate(inputs: Path) -> None:
    for table in ("stores", "sales_daily", "inventory_snapshot"):
        edit_csv(inputs, table, lambda f: f[f.store_id == "S1"])
    assert validate_inputs(inputs)
