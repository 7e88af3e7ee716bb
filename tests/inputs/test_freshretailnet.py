"""Tests of the FreshRetailNet-50K adapter, on synthetic files and on the real file when present."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from python_assets.inputs.contract import PLANNED_COVARIATES, TABLES_BY_NAME
from python_assets.inputs.freshretailnet import (
    CREDIT,
    OUTPUT_TABLES,
    PUBLISHED_SCHEMA,
    FreshRetailNetAssumptions,
    adapt_freshretailnet,
    city_centres,
    region_of_latitude,
    write_synthetic_freshretailnet,
)
from python_assets.inputs.inventory_history import history_offsets
from python_assets.inputs.validation import validate_inputs

N_CITIES, N_STORES, N_PRODUCTS, N_DAYS = 3, 9, 6, 30
# the latest snapshot and the weekly history before it that a full 14-day window precedes
N_SNAPSHOT_DATES = 1 + len(history_offsets(N_DAYS, FreshRetailNetAssumptions().demand_window_days))
# an empty FRN_PATH (as a Makefile may export) means the default, not the current directory
REAL_PATH = Path(
    os.environ.get("FRN_PATH")
    or Path(__file__).resolve().parents[2].parent / "shared/data/freshretailnet50k/train.parquet"
)
# Two of the smallest real cities (3 and 6 stores) keep the real-data tests fast.
REAL_CITY_IDS = (8, 9)


def _sql(path: Path) -> str:
    return f"read_parquet('{path}')"


def _query(sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


def _scalar(sql: str):
    return _query(sql)[0][0]


def _out(out_dir: Path, table: str) -> str:
    return _sql(out_dir / f"{table}.parquet")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("frn_source") / "train.parquet"
    rows = write_synthetic_freshretailnet(path, N_CITIES, N_STORES, N_PRODUCTS, N_DAYS, seed=3)
    assert rows == N_STORES * N_PRODUCTS * N_DAYS
    return path


@pytest.fixture(scope="module")
def adapted(source: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out_dir = tmp_path_factory.mktemp("frn_out")
    return out_dir, adapt_freshretailnet(source, out_dir)


# --- the synthetic generator -----------------------------------------------------------------


def test_synthetic_file_has_published_layout(source: Path) -> None:
    assert pq.read_schema(source).equals(PUBLISHED_SCHEMA)
    table = pq.read_table(source)
    assert table.num_rows == N_STORES * N_PRODUCTS * N_DAYS
    hours_sale = np.stack(table["hours_sale"].to_numpy(zero_copy_only=False))
    status = np.stack(table["hours_stock_status"].to_numpy(zero_copy_only=False))
    assert hours_sale.shape[1] == status.shape[1] == 24
    assert set(np.unique(status)) <= {0, 1}
    np.testing.assert_allclose(hours_sale.sum(axis=1), table["sale_amount"].to_numpy(), atol=1e-9)
    assert (status[:, 6:22].sum(axis=1) == table["stock_hour6_22_cnt"].to_numpy()).all()
    # no sales in an hour flagged out of stock
    assert (hours_sale[status == 1] == 0).all()
    assert table["city_id"].to_numpy().max() == N_CITIES - 1


def test_synthetic_file_matches_real_schema(source: Path) -> None:
    if not REAL_PATH.exists():
        pytest.skip(
            f"FreshRetailNet-50K not found at {REAL_PATH}; it lives beside the project in "
            "../shared, never in the repo (set FRN_PATH to point elsewhere)"
        )
    real = pq.read_schema(REAL_PATH)
    ours = pq.read_schema(source)
    assert ours.names == real.names
    assert [f.type for f in ours] == [f.type for f in real]


def test_synthetic_is_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    write_synthetic_freshretailnet(a, 2, 3, 4, 5, seed=1)
    write_synthetic_freshretailnet(b, 2, 3, 4, 5, seed=1)
    write_synthetic_freshretailnet(c, 2, 3, 4, 5, seed=2)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


# --- the adapter on a synthetic file ----------------------------------------------------------


def test_row_counts(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, counts = adapted
    expected = {
        "stores": N_STORES,
        "products": N_PRODUCTS,
        "sales_daily": N_STORES * N_PRODUCTS * N_DAYS,
        "inventory_snapshot": N_STORES * N_PRODUCTS * N_SNAPSHOT_DATES,
    }
    for table, n in expected.items():
        assert counts[table] == n, table
    for table in OUTPUT_TABLES:
        assert _scalar(f"SELECT count(*) FROM {_out(out_dir, table.name)}") == counts[table.name]
    assert not (out_dir / "customer_orders.parquet").exists()


def test_keys_unique(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    for table in OUTPUT_TABLES:
        key = ", ".join(table.key)
        dupes = _scalar(
            f"SELECT count(*) FROM (SELECT {key} FROM {_out(out_dir, table.name)} "
            f"GROUP BY {key} HAVING count(*) > 1)"
        )
        assert dupes == 0, table.name


def test_references_valid(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    for table in OUTPUT_TABLES:
        for column, parent in table.references.items():
            orphans = _scalar(
                f"SELECT count(*) FROM {_out(out_dir, table.name)} "
                f"WHERE {column} NOT IN (SELECT {column} FROM {_out(out_dir, parent)})"
            )
            assert orphans == 0, f"{table.name}.{column}"


def test_types_match_contract(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    for table in OUTPUT_TABLES:
        contract = TABLES_BY_NAME[table.name]
        described = _query(f"DESCRIBE SELECT * FROM {_out(out_dir, table.name)}")
        types = {name: dtype.lower() for name, dtype, *_ in described}
        assert set(contract.required_columns) <= set(types), table.name
        for name, dtype in types.items():
            assert dtype == contract.column(name).sql_type, f"{table.name}.{name}"


def test_values_within_contract_bounds(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    for table in OUTPUT_TABLES:
        for col in TABLES_BY_NAME[table.name].columns:
            checks = []
            if col.non_negative:
                checks.append(f"{col.name} < 0")
            if col.min_value is not None:
                checks.append(f"{col.name} < {col.min_value}")
            if col.max_value is not None:
                checks.append(f"{col.name} > {col.max_value}")
            if col.required:
                checks.append(f"{col.name} IS NULL")
            if (
                not checks
                or col.name not in pq.read_schema(out_dir / f"{table.name}.parquet").names
            ):
                continue
            bad = _scalar(
                f"SELECT count(*) FROM {_out(out_dir, table.name)} WHERE {' OR '.join(checks)}"
            )
            assert bad == 0, f"{table.name}.{col.name}"


def _rows(path: Path, *columns: str) -> list[tuple]:
    """The rows of these columns of a Parquet file, read with pyarrow rather than DuckDB."""
    table = pq.read_table(path, columns=list(columns)).to_pydict()
    return list(zip(*(table[c] for c in columns), strict=True))


def _joined_sales(source: Path, out_dir: Path, where: str = "") -> str:
    return f"""
        FROM {_out(out_dir, "sales_daily")} o
        JOIN {_sql(source)} s
          ON o.date = CAST(s.dt AS DATE)
         AND o.store_id = CAST(s.store_id AS VARCHAR)
         AND o.product_id = CAST(s.product_id AS VARCHAR)
        {where}
    """


def test_sales_map_source_columns(source: Path, adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, counts = adapted
    matched, mismatched = _query(
        f"""
        SELECT count(*),
            count(*) FILTER (WHERE
                o.stockout_hours != len(list_filter(s.hours_stock_status, lambda h: h = 1))
                OR o.stockout_hours_6_22 != s.stock_hour6_22_cnt
                OR o.discount != s.discount
                OR o.promo_flag != (s.activity_flag = 1)
                OR o.holiday_flag != (s.holiday_flag = 1)
                OR o.precipitation != s.precpt
                OR o.avg_temperature != s.avg_temperature
                OR o.avg_humidity != s.avg_humidity
                OR o.avg_wind_level != s.avg_wind_level)
        {_joined_sales(source, out_dir)}
        """
    )[0]
    assert matched == counts["sales_daily"]
    assert mismatched == 0
    # the generator does plant stock-outs, so the comparison above is not vacuous
    assert _scalar(f"SELECT max(stockout_hours) FROM {_out(out_dir, 'sales_daily')}") > 0


def test_stockout_hours_count_out_of_stock_hours(
    source: Path, adapted: tuple[Path, dict[str, int]]
) -> None:
    # counted in Python from the raw hour flags, independently of the adapter's SQL
    hours_out = {
        (d, str(s), str(p)): sum(h == 1 for h in flags)
        for d, s, p, flags in _rows(source, "dt", "store_id", "product_id", "hours_stock_status")
    }
    sales = _rows(
        adapted[0] / "sales_daily.parquet", "date", "store_id", "product_id", "stockout_hours"
    )
    assert len(sales) == len(hours_out)
    for d, s, p, hours in sales:
        assert hours == hours_out[(d.isoformat(), s, p)]
    assert 0 < sum(hours_out.values()) < 24 * len(hours_out)


def test_units_fractional_preserved(source: Path, adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    differing, fractional = _query(
        f"""
        SELECT count(*) FILTER (WHERE o.units_sold != s.sale_amount),
               count(*) FILTER (WHERE o.units_sold != round(o.units_sold))
        {_joined_sales(source, out_dir)}
        """
    )[0]
    assert differing == 0
    assert fractional > 0


def _haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def test_coordinates_in_range_and_near_city(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    a = FreshRetailNetAssumptions()
    stores = pq.read_table(out_dir / "stores.parquet").to_pandas()
    assert stores["coordinates_assumed"].all()
    city_ids = stores["city"].str.removeprefix("city_").astype(int).to_numpy()
    assert sorted(set(city_ids)) == list(range(N_CITIES))
    centre_lat, centre_lon = city_centres(city_ids, a)
    margin = a.store_jitter_km / 100.0  # degrees; generous
    assert (
        stores["latitude"].between(a.latitude_range[0] - margin, a.latitude_range[1] + margin).all()
    )
    assert (
        stores["longitude"]
        .between(a.longitude_range[0] - margin, a.longitude_range[1] + margin)
        .all()
    )
    distance = _haversine_km(stores["latitude"], stores["longitude"], centre_lat, centre_lon)
    assert (distance <= a.store_jitter_km * 1.01).all()
    # stores are spread, not stacked on the centre
    assert distance.max() > 0.1
    assert list(stores["region"]) == list(region_of_latitude(centre_lat, a))
    assert stores.groupby("city")["region"].nunique().max() == 1


def test_regions_are_latitude_bands() -> None:
    a = FreshRetailNetAssumptions(latitude_range=(20.0, 40.0), n_regions=4)
    regions = region_of_latitude(np.array([39.9, 34.9, 25.1, 24.9, 20.0, 40.0]), a)
    assert list(regions) == ["region_1", "region_2", "region_3", "region_4", "region_4", "region_1"]


def test_inventory_for_every_series_and_simulated(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    series_without_stock = _scalar(
        f"""
        SELECT count(*) FROM (SELECT DISTINCT store_id, product_id
                              FROM {_out(out_dir, "sales_daily")}) s
        ANTI JOIN {_out(out_dir, "inventory_snapshot")} i USING (store_id, product_id)
        """
    )
    assert series_without_stock == 0
    flags, snapshot_dates, negative = _query(
        f"""
        SELECT list(DISTINCT on_hand_simulated), list(DISTINCT snapshot_date),
               count(*) FILTER (WHERE on_hand_units < 0)
        FROM {_out(out_dir, "inventory_snapshot")}
        """
    )[0]
    assert flags == [True]
    last_day = _scalar(f"SELECT max(date) FROM {_out(out_dir, 'sales_daily')}")
    assert N_SNAPSHOT_DATES == 3
    assert sorted(snapshot_dates) == [last_day - timedelta(days=d) for d in (14, 7, 0)]
    assert negative == 0


def _cover_days(
    out_dir: Path, window_days: int, days_before_last: int = 0
) -> dict[tuple[str, str], float]:
    """on_hand / mean daily sales over the window_days ending on the snapshot date
    days_before_last days before the last sales day, per series with recent sales."""
    as_of = f"(SELECT max(date) FROM {_out(out_dir, 'sales_daily')}) - {int(days_before_last)}"
    rows = _query(
        f"""
        WITH recent AS (
            SELECT store_id, product_id, avg(units_sold) AS daily
            FROM {_out(out_dir, "sales_daily")}
            WHERE date > {as_of} - INTERVAL {window_days} DAY AND date <= {as_of}
            GROUP BY ALL
        )
        SELECT i.store_id, i.product_id, i.on_hand_units / r.daily
        FROM {_out(out_dir, "inventory_snapshot")} i JOIN recent r USING (store_id, product_id)
        WHERE r.daily > 0 AND i.snapshot_date = {as_of}
        """
    )
    return {(store, product): cover for store, product, cover in rows}


@pytest.mark.parametrize("days_before_last", [0, 7, 14, 21])
def test_inventory_is_recent_sales_times_cover(
    source: Path, tmp_path: Path, days_before_last: int
) -> None:
    flat = FreshRetailNetAssumptions(cover_sigma=0.0, store_factor_sigma=0.0, demand_window_days=7)
    adapt_freshretailnet(source, tmp_path, flat)
    cover = _cover_days(tmp_path, flat.demand_window_days, days_before_last)
    assert len(cover) > N_STORES * N_PRODUCTS * 0.8
    np.testing.assert_allclose(list(cover.values()), flat.cover_median_days, rtol=1e-9)


def test_history_snapshot_is_the_stock_of_a_run_ending_that_day(
    source: Path, adapted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    """The stock of a past date uses no later sales: a run whose data ends on that date gives
    it as its latest snapshot, and the later days change nothing in it."""
    full = _out(adapted[0], "inventory_snapshot")
    day = _scalar(f"SELECT max(snapshot_date) - 7 FROM {full}")
    ended = FreshRetailNetAssumptions(withhold_from=day + timedelta(days=1))
    adapt_freshretailnet(source, tmp_path, ended)
    short = _out(tmp_path, "inventory_snapshot")
    differing = _scalar(
        f"""
        SELECT count(*) FROM (
            SELECT store_id, product_id, snapshot_date, on_hand_units FROM {full}
            WHERE snapshot_date = DATE '{day.isoformat()}'
            EXCEPT
            SELECT store_id, product_id, snapshot_date, on_hand_units FROM {short}
            WHERE snapshot_date = DATE '{day.isoformat()}'
        )
        """
    )
    assert _scalar(f"SELECT max(snapshot_date) FROM {short}") == day
    assert _scalar(f"SELECT count(*) FROM {short} WHERE snapshot_date = DATE '{day}'") > 0
    assert differing == 0


def test_inventory_cover_is_unbalanced_between_stores(
    source: Path, adapted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    a = FreshRetailNetAssumptions()
    cover = _cover_days(adapted[0], a.demand_window_days)
    days = np.array(list(cover.values()))
    # lognormal cover x store factor: median near cover_median_days, spread both ways
    assert 0.5 * a.cover_median_days < np.median(days) < 2 * a.cover_median_days
    assert days.min() < a.cover_median_days < days.max()
    # without the store factor, each store's stock changes by one constant: that factor
    adapt_freshretailnet(source, tmp_path, FreshRetailNetAssumptions(store_factor_sigma=0.0))
    no_factor = _cover_days(tmp_path, a.demand_window_days)
    factors: dict[str, list[float]] = {}
    for key, c in cover.items():
        factors.setdefault(key[0], []).append(c / no_factor[key])
    for store, f in factors.items():
        assert max(f) / min(f) - 1 < 1e-9, store
    log_factors = np.log([f[0] for f in factors.values()])
    assert len(log_factors) == N_STORES
    assert np.std(log_factors) > 0.2


def test_assumptions_documented(adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = adapted
    rows = pq.read_table(out_dir / "dataset_assumptions.parquet").to_pylist()
    assert {r["dataset"] for r in rows} == {"freshretailnet"}
    by_topic = {r["topic"]: r for r in rows}
    for topic in ("credit", "coordinates", "regions", "inventory", "costs", "holdout", "units"):
        assert topic in by_topic, topic
    assert CREDIT == "FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0)"
    assert CREDIT in by_topic["credit"]["assumption"]
    assert "no costs" in by_topic["costs"]["assumption"].lower()
    assert "2024-06-19..25" in by_topic["holdout"]["assumption"]
    assert by_topic["regions"]["setting"] == str(FreshRetailNetAssumptions().n_regions)


def test_output_is_deterministic(source: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    adapt_freshretailnet(source, first)
    adapt_freshretailnet(source, second)
    for table in OUTPUT_TABLES:
        name = f"{table.name}.parquet"
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    other_seed = tmp_path / "other_seed"
    adapt_freshretailnet(source, other_seed, FreshRetailNetAssumptions(seed=8))
    for name in ("stores.parquet", "inventory_snapshot.parquet"):
        assert (first / name).read_bytes() != (other_seed / name).read_bytes(), name


def test_city_ids_filter(
    source: Path, adapted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    full_dir, _ = adapted
    counts = adapt_freshretailnet(source, tmp_path, city_ids=[1])
    source_rows = _scalar(f"SELECT count(*) FROM {_sql(source)} WHERE city_id = 1")
    assert 0 < counts["sales_daily"] == source_rows
    assert _query(f"SELECT DISTINCT city FROM {_out(tmp_path, 'stores')}") == [("city_1",)]
    # draws are keyed by ids: a city's stores and stock are the same with or without the others
    for table in ("stores", "inventory_snapshot"):
        differing = _scalar(
            f"""
            SELECT count(*) FROM (
                SELECT * FROM {_out(tmp_path, table)}
                EXCEPT
                SELECT * FROM {_out(full_dir, table)}
            )
            """
        )
        assert differing == 0, table
    with pytest.raises(ValueError, match="no rows"):
        adapt_freshretailnet(source, tmp_path / "none", city_ids=[N_CITIES + 5])
    with pytest.raises(ValueError, match="empty"):
        adapt_freshretailnet(source, tmp_path / "empty", city_ids=[])


def test_withheld_days_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "late.parquet"
    write_synthetic_freshretailnet(path, 1, 2, 2, 10, start=date(2024, 6, 14))
    adapt_freshretailnet(path, tmp_path / "out")
    first, last, n = _query(
        f"SELECT min(date), max(date), count(*) FROM {_out(tmp_path / 'out', 'sales_daily')}"
    )[0]
    assert (first, last, n) == (date(2024, 6, 14), date(2024, 6, 18), 2 * 2 * 5)
    snapshot = _scalar(
        f"SELECT max(snapshot_date) FROM {_out(tmp_path / 'out', 'inventory_snapshot')}"
    )
    assert snapshot == date(2024, 6, 18)
    adapt_freshretailnet(path, tmp_path / "all", FreshRetailNetAssumptions(withhold_from=None))
    assert _scalar(f"SELECT count(*) FROM {_out(tmp_path / 'all', 'sales_daily')}") == 2 * 2 * 10


def test_rejects_source_without_layout(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 1 AS city_id, 2 AS store_id) TO '{bad}' (FORMAT parquet)")
    with pytest.raises(ValueError, match="lacks FreshRetailNet columns"):
        adapt_freshretailnet(bad, tmp_path / "out")


def test_rejects_store_in_two_cities(source: Path, tmp_path: Path) -> None:
    # store 0 sells product 1 in city 1 but product 0 in city 0: no single stores row fits
    moved = tmp_path / "moved.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"""COPY (SELECT * REPLACE (CASE WHEN store_id = 0 AND product_id = 1
                                           THEN CAST(1 AS INTEGER) ELSE city_id END AS city_id)
                      FROM {_sql(source)}) TO '{moved}' (FORMAT parquet)"""
        )
    with pytest.raises(ValueError, match="more than one city_id"):
        adapt_freshretailnet(moved, tmp_path / "out")


def test_refuses_to_mix_with_other_inputs(source: Path, tmp_path: Path) -> None:
    (tmp_path / "customer_orders.csv").write_text("order_id\n1\n")
    with pytest.raises(FileExistsError, match=r"customer_orders\.csv"):
        adapt_freshretailnet(source, tmp_path)


# --- the adapter on the real file ------------------------------------------------------------


@pytest.fixture(scope="module")
def real_adapted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    if not REAL_PATH.exists():
        pytest.skip(
            f"FreshRetailNet-50K not found at {REAL_PATH}; it lives beside the project in "
            "../shared, never in the repo (set FRN_PATH to point elsewhere)"
        )
    out_dir = tmp_path_factory.mktemp("frn_real")
    return out_dir, adapt_freshretailnet(REAL_PATH, out_dir, city_ids=REAL_CITY_IDS)


def test_real_slice_keeps_every_source_row(real_adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, counts = real_adapted
    cities = ", ".join(str(c) for c in REAL_CITY_IDS)
    source_rows, source_series, source_stores = _query(
        f"""
        SELECT count(*), count(DISTINCT (store_id, product_id)), count(DISTINCT store_id)
        FROM {_sql(REAL_PATH)} WHERE city_id IN ({cities})
        """
    )[0]
    assert counts["sales_daily"] == source_rows > 0
    # 83 days of sales: the latest snapshot and all 8 weekly history dates
    assert counts["inventory_snapshot"] == source_series * 9
    dates = _query(f"SELECT DISTINCT snapshot_date FROM {_out(out_dir, 'inventory_snapshot')}")
    assert sorted(d for (d,) in dates) == [
        date(2024, 6, 18) - timedelta(days=7 * k) for k in range(8, -1, -1)
    ]
    assert counts["stores"] == source_stores
    matched, mismatched = _query(
        f"""
        SELECT count(*),
            count(*) FILTER (WHERE o.units_sold != s.sale_amount
                OR o.stockout_hours != len(list_filter(s.hours_stock_status, lambda h: h = 1))
                OR o.stockout_hours_6_22 != s.stock_hour6_22_cnt)
        {_joined_sales(REAL_PATH, out_dir, f"WHERE s.city_id IN ({cities})")}
        """
    )[0]
    assert (matched, mismatched) == (source_rows, 0)


def test_real_slice_matches_contract(real_adapted: tuple[Path, dict[str, int]]) -> None:
    out_dir, _ = real_adapted
    for table in OUTPUT_TABLES:
        contract = TABLES_BY_NAME[table.name]
        described = _query(f"DESCRIBE SELECT * FROM {_out(out_dir, table.name)}")
        for name, dtype, *_ in described:
            assert dtype.lower() == contract.column(name).sql_type, f"{table.name}.{name}"
        key = ", ".join(table.key)
        assert (
            _scalar(f"SELECT count(*) - count(DISTINCT ({key})) FROM {_out(out_dir, table.name)}")
            == 0
        ), table.name
    first, last = _query(f"SELECT min(date), max(date) FROM {_out(out_dir, 'sales_daily')}")[0]
    assert first == date(2024, 3, 28)
    assert last < date(2024, 6, 19)
    cities = _query(f"SELECT DISTINCT city FROM {_out(out_dir, 'stores')} ORDER BY city")
    assert cities == [(f"city_{c}",) for c in sorted(REAL_CITY_IDS)]


def test_real_last_week_as_planned_covariates(
    real_adapted: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    """Hold out the shared file's last week and give the same file as the future file: that
    week's discounts, promotions, holidays and weather become planned covariates."""
    history_dir, _ = real_adapted
    n_series = _scalar(
        f"SELECT count(DISTINCT (store_id, product_id)) FROM {_out(history_dir, 'sales_daily')}"
    )
    out_dir = tmp_path / "held_out"
    counts = adapt_freshretailnet(
        REAL_PATH,
        out_dir,
        FreshRetailNetAssumptions(withhold_from=date(2024, 6, 12)),
        city_ids=REAL_CITY_IDS,
        future_source=REAL_PATH,
    )
    assert counts["planned_covariates"] == n_series * 7
    days = _query(f"SELECT DISTINCT date FROM {_out(out_dir, 'planned_covariates')} ORDER BY 1")
    assert [d for (d,) in days] == [date(2024, 6, 12) + timedelta(days=i) for i in range(7)]
    assert "planned_covariates" in validate_inputs(out_dir)


# --- planned covariates from a file of the days after the history ------------------------------

FUTURE_DAYS = 7
HISTORY_END = date(2024, 3, 28) + timedelta(days=N_DAYS - 1)


@pytest.fixture(scope="module")
def future_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The week after the synthetic history, in the published layout (same seed: same stores),
    starting one day early so that a day of history must be dropped."""
    path = tmp_path_factory.mktemp("frn_future") / "future.parquet"
    write_synthetic_freshretailnet(
        path, N_CITIES, N_STORES, N_PRODUCTS, FUTURE_DAYS + 1, seed=3, start=HISTORY_END
    )
    return path


def test_future_file_maps_onto_planned_covariates(
    source: Path, future_source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    counts = adapt_freshretailnet(source, out, future_source=future_source)
    assert counts["planned_covariates"] == N_STORES * N_PRODUCTS * FUTURE_DAYS
    assert set(validate_inputs(out)) == {t.name for t in OUTPUT_TABLES} | {"planned_covariates"}
    planned = pq.read_table(out / "planned_covariates.parquet")
    assert planned.schema.names == [c.name for c in PLANNED_COVARIATES.columns]
    # the same mapping as sales_daily: each value equals the published column it comes from
    mismatches = _scalar(
        f"""
        SELECT count(*) FROM {_out(out, "planned_covariates")} AS p
        JOIN {_sql(future_source)} AS f
          ON p.store_id = CAST(f.store_id AS VARCHAR)
         AND p.product_id = CAST(f.product_id AS VARCHAR)
         AND p.date = CAST(f.dt AS DATE)
        WHERE p.discount IS DISTINCT FROM f.discount
           OR p.promo_flag IS DISTINCT FROM (f.activity_flag = 1)
           OR p.holiday_flag IS DISTINCT FROM (f.holiday_flag = 1)
           OR p.precipitation IS DISTINCT FROM f.precpt
           OR p.avg_temperature IS DISTINCT FROM f.avg_temperature
           OR p.avg_humidity IS DISTINCT FROM f.avg_humidity
           OR p.avg_wind_level IS DISTINCT FROM f.avg_wind_level
        """
    )
    assert mismatches == 0
    first, last = _query(f"SELECT min(date), max(date) FROM {_out(out, 'planned_covariates')}")[0]
    assert (first, last) == (HISTORY_END + timedelta(days=1), HISTORY_END + timedelta(FUTURE_DAYS))
    assumptions = dict(_query(f"SELECT topic, setting FROM {_out(out, 'dataset_assumptions')}"))
    assert assumptions["planned_covariates"].startswith(f"{first.isoformat()}..")


def test_future_file_needs_no_sales_columns(
    source: Path, future_source: Path, tmp_path: Path
) -> None:
    covariates_only = tmp_path / "covariates_only.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * EXCLUDE (sale_amount, hours_sale, hours_stock_status, "
            f"stock_hour6_22_cnt) FROM {_sql(future_source)}) TO '{covariates_only}' "
            "(FORMAT parquet)"
        )
    a = adapt_freshretailnet(source, tmp_path / "a", future_source=future_source)
    b = adapt_freshretailnet(source, tmp_path / "b", future_source=covariates_only)
    assert a == b
    assert (tmp_path / "a" / "planned_covariates.parquet").read_bytes() == (
        tmp_path / "b" / "planned_covariates.parquet"
    ).read_bytes()


def test_withheld_week_of_the_training_file_becomes_planned_covariates(tmp_path: Path) -> None:
    path = tmp_path / "train.parquet"
    write_synthetic_freshretailnet(path, 2, 3, 2, 16, start=date(2024, 6, 10))
    counts = adapt_freshretailnet(path, tmp_path / "out", city_ids=[1], future_source=path)
    stores = _scalar(f"SELECT count(*) FROM {_out(tmp_path / 'out', 'stores')}")
    assert counts["planned_covariates"] == stores * 2 * 7
    days = _query(
        f"SELECT DISTINCT date FROM {_out(tmp_path / 'out', 'planned_covariates')} ORDER BY 1"
    )
    assert [d for (d,) in days] == [date(2024, 6, 19) + timedelta(days=i) for i in range(7)]
    assert validate_inputs(tmp_path / "out")


def test_future_file_errors(source: Path, future_source: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no rows after the last sales day"):
        adapt_freshretailnet(source, tmp_path / "past", future_source=source)
    bad = tmp_path / "bad.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * EXCLUDE (discount) FROM {_sql(future_source)}) TO '{bad}' "
            "(FORMAT parquet)"
        )
    with pytest.raises(ValueError, match=r"lacks FreshRetailNet columns \['discount'\]"):
        adapt_freshretailnet(source, tmp_path / "bad", future_source=bad)
    # a planned_covariates file the adapter would not replace must not mix into its output
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "planned_covariates.parquet").write_bytes(b"")
    with pytest.raises(FileExistsError, match="planned_covariates"):
        adapt_freshretailnet(source, stale)
