"""The demo generator: deterministic, true to the input contract, and carrying the patterns
(seasonality, promotions, censored stockouts, planted imbalances) the pipeline must find.

The pattern tests read the smooth profile (the base demand every profile starts from); the
profile tests at the end check what mixed and intermittent add."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from python_assets.inputs.contract import INPUT_TABLES, TABLES_BY_NAME
from python_assets.inputs.demo import DEMO_PROFILES, DEMO_SIZES, generate_demo_data
from python_assets.inputs.validation import validate_inputs

ARROW_TYPES = {
    "varchar": pa.string(),
    "double": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_tiny")
    generate_demo_data(out, DEMO_SIZES["tiny"], seed=42, profile="smooth")
    return out


@pytest.fixture(scope="module")
def tables(tiny_dir: Path) -> dict[str, pd.DataFrame]:
    return {
        t.name: pq.read_table(tiny_dir / f"{t.name}.parquet").to_pandas(date_as_object=False)
        for t in INPUT_TABLES
    }


@pytest.fixture(scope="module")
def sales(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    products = tables["products"][["product_id", "subcategory", "unit_price"]]
    stores = tables["stores"][["store_id", "format"]]
    return tables["sales_daily"].merge(products, on="product_id").merge(stores, on="store_id")


@pytest.fixture(scope="module")
def latest_snapshot(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The plan's stock: the inventory snapshot's latest date (earlier dates are history)."""
    snapshot = tables["inventory_snapshot"]
    return snapshot[snapshot["snapshot_date"] == snapshot["snapshot_date"].max()]


@pytest.fixture(scope="module")
def subcategory_cover(
    tables: dict[str, pd.DataFrame], sales: pd.DataFrame, latest_snapshot: pd.DataFrame
) -> pd.DataFrame:
    """Days of cover per store x subcategory: on hand / last 28 days' average daily sales."""
    recent = sales[sales["date"] > sales["date"].max() - pd.Timedelta(days=28)]
    rate = recent.groupby(["store_id", "format", "subcategory"])["units_sold"].sum() / 28.0
    stock = (
        latest_snapshot.merge(tables["products"][["product_id", "subcategory"]], on="product_id")
        .groupby(["store_id", "subcategory"])["on_hand_units"]
        .sum()
    )
    cover = (stock / rate.droplevel("format")).rename("cover").reset_index()
    cover = cover.merge(rate.reset_index()[["store_id", "format", "subcategory"]])
    planted = tables["planted_imbalances"][["store_id", "subcategory", "direction"]]
    return cover.merge(planted, on=["store_id", "subcategory"], how="left")


def test_sizes_follow_the_spec() -> None:
    assert set(DEMO_SIZES) == {"tiny", "default", "large"}
    default = DEMO_SIZES["default"]
    assert 40 <= default.n_stores <= 80
    assert 100 <= default.n_products <= 200
    assert default.n_days > 365
    assert DEMO_SIZES["tiny"].n_days > 365


def test_tiny_stays_small(tables: dict[str, pd.DataFrame]) -> None:
    assert len(tables["sales_daily"]) < 60_000
    assert len(tables["stores"]) == 12
    assert tables["stores"]["region"].nunique() == 3
    assert tables["products"]["subcategory"].nunique() >= 3


def test_same_seed_gives_identical_files(tiny_dir: Path, tmp_path: Path) -> None:
    rows = generate_demo_data(tmp_path, DEMO_SIZES["tiny"], seed=42, profile="smooth")
    assert set(rows) == {t.name for t in INPUT_TABLES}
    for name, count in rows.items():
        again = (tmp_path / f"{name}.parquet").read_bytes()
        assert again == (tiny_dir / f"{name}.parquet").read_bytes(), name
        assert pq.read_metadata(tmp_path / f"{name}.parquet").num_rows == count


def test_other_seed_gives_other_sales(tiny_dir: Path, tmp_path: Path) -> None:
    generate_demo_data(tmp_path, DEMO_SIZES["tiny"], seed=7, profile="smooth")
    first = pq.read_table(tiny_dir / "sales_daily.parquet")["units_sold"].to_numpy()
    other = pq.read_table(tmp_path / "sales_daily.parquet")["units_sold"].to_numpy()
    assert first.size != other.size or not np.array_equal(first, other)


def test_files_pass_the_project_validator(tiny_dir: Path) -> None:
    assert set(validate_inputs(tiny_dir)) == {t.name for t in INPUT_TABLES}


@pytest.mark.parametrize("table", INPUT_TABLES, ids=lambda t: t.name)
def test_columns_and_types_follow_the_contract(tiny_dir: Path, table) -> None:
    schema = pq.read_schema(tiny_dir / f"{table.name}.parquet")
    contract = {c.name: c for c in table.columns}
    assert set(schema.names) <= set(contract), set(schema.names) - set(contract)
    assert set(table.required_columns) <= set(schema.names)
    for field in schema:
        assert field.type == ARROW_TYPES[contract[field.name].sql_type], field.name
    assert schema.metadata is None or b"pandas" not in schema.metadata


@pytest.mark.parametrize("table", INPUT_TABLES, ids=lambda t: t.name)
def test_keys_unique_values_complete_and_in_range(tables: dict[str, pd.DataFrame], table) -> None:
    frame = tables[table.name]
    assert len(frame) > 0
    assert not frame.duplicated(list(table.key)).any()
    assert not frame.isna().any().any()
    for column in table.columns:
        if column.name not in frame or frame[column.name].dtype.kind not in "fi":
            continue
        values = frame[column.name]
        if column.non_negative:
            assert (values >= 0).all(), column.name
        if column.min_value is not None:
            assert (values >= column.min_value).all(), column.name
        if column.max_value is not None:
            assert (values <= column.max_value).all(), column.name


def test_references_resolve(tables: dict[str, pd.DataFrame]) -> None:
    for table in INPUT_TABLES:
        for column, target in table.references.items():
            known = set(tables[target][TABLES_BY_NAME[target].key[0]])
            assert set(tables[table.name][column]) <= known, (table.name, column)


def test_stores_sit_in_the_us_with_sizes_by_format(tables: dict[str, pd.DataFrame]) -> None:
    stores = tables["stores"]
    assert stores["latitude"].between(24, 50).all()
    assert stores["longitude"].between(-125, -66).all()
    assert stores.groupby("city")["region"].nunique().max() == 1
    capacity = stores.groupby("format")["storage_capacity_units"].median()
    assert capacity["supermarket"] > 2 * capacity["express"]
    assert (stores["opened_on"] < tables["sales_daily"]["date"].min()).all()


def test_every_series_covers_more_than_a_year(
    tables: dict[str, pd.DataFrame], latest_snapshot: pd.DataFrame
) -> None:
    sales = tables["sales_daily"]
    n_days = sales["date"].nunique()
    assert n_days > 365
    assert (sales.groupby(["store_id", "product_id"]).size() == n_days).all()
    assert (latest_snapshot["snapshot_date"] == sales["date"].max()).all()
    carried = set(zip(sales["store_id"], sales["product_id"], strict=True))
    snapshot = latest_snapshot
    assert set(zip(snapshot["store_id"], snapshot["product_id"], strict=True)) == carried


def test_units_are_whole_and_revenue_is_units_times_discounted_price(sales: pd.DataFrame) -> None:
    assert (sales["units_sold"] == np.round(sales["units_sold"])).all()
    expected = sales["units_sold"] * sales["unit_price"] * sales["discount"]
    assert np.allclose(sales["revenue"], expected, atol=0.011)


def test_weekdays_differ(sales: pd.DataFrame) -> None:
    by_weekday = sales.groupby(sales["date"].dt.day_of_week)["units_sold"].mean()
    assert by_weekday.max() / by_weekday.min() > 1.2


def test_yearly_seasonality_depends_on_the_subcategory(sales: pd.DataFrame) -> None:
    season = sales["date"].dt.month.map(
        {6: "summer", 7: "summer", 8: "summer", 12: "winter", 1: "winter", 2: "winter"}
    )
    daily = sales.assign(season=season).groupby(["subcategory", "season"])["units_sold"].mean()
    assert daily["Soft Drinks", "summer"] > 1.3 * daily["Soft Drinks", "winter"]
    assert daily["Soups", "winter"] > 1.3 * daily["Soups", "summer"]


def test_promotions_discount_and_lift_sales(sales: pd.DataFrame) -> None:
    assert (sales.loc[sales["promo_flag"], "discount"] < 1).all()
    assert (sales.loc[~sales["promo_flag"], "discount"] == 1).all()
    assert 0.02 < sales["promo_flag"].mean() < 0.2
    by_series = (
        sales.groupby(["store_id", "product_id", "promo_flag"])["units_sold"].mean().unstack()
    )
    lift = (by_series[True] / by_series[False]).dropna()
    assert lift.median() > 1.3


def test_holidays_are_fixed_dates(sales: pd.DataFrame) -> None:
    flagged = set(sales.loc[sales["holiday_flag"], "date"].dt.date.astype(str))
    assert {"2025-07-04", "2025-11-27", "2025-12-25", "2026-01-01"} <= flagged
    assert sales.groupby("date")["holiday_flag"].nunique().max() == 1
    assert not {"2025-07-05", "2026-03-10"} & flagged


def test_stockouts_censor_a_few_percent_of_days(sales: pd.DataFrame) -> None:
    out = sales["stockout_hours"] > 0
    assert 0.005 < out.mean() < 0.10
    assert sales.loc[out, "stockout_hours"].between(1, 23).all()
    assert (sales.loc[out, "stockout_hours"] % 1 == 0).all()
    expected_6_22 = np.clip(sales["stockout_hours"] - 2, 0, 16)
    assert np.array_equal(sales["stockout_hours_6_22"], expected_6_22)
    # Censored days sell less than the same series' other days.
    normal = sales[~out].groupby(["store_id", "product_id"])["units_sold"].mean().rename("normal")
    censored = sales[out].join(normal, on=["store_id", "product_id"])
    assert censored["units_sold"].sum() < 0.8 * censored["normal"].sum()
    long_outages = censored[censored["stockout_hours"] >= 12]
    assert long_outages["units_sold"].sum() < 0.6 * long_outages["normal"].sum()


def test_store_formats_have_separable_demand_mixes(sales: pd.DataFrame) -> None:
    units = sales.groupby(["store_id", "format", "subcategory"])["units_sold"].sum().unstack()
    shares = units.div(units.sum(axis=1), axis=0)
    features = StandardScaler().fit_transform(shares.to_numpy())
    formats = shares.index.get_level_values("format")
    assert formats.nunique() >= 2
    assert silhouette_score(features, formats) > 0.4


def test_inventory_covers_about_twelve_days_and_fits_storage(
    tables: dict[str, pd.DataFrame], latest_snapshot: pd.DataFrame, subcategory_cover: pd.DataFrame
) -> None:
    snapshot = latest_snapshot
    assert (snapshot["on_hand_units"] == np.round(snapshot["on_hand_units"])).all()
    assert not snapshot["on_hand_simulated"].any()
    assert snapshot["in_transit_units"].sum() < 0.2 * snapshot["on_hand_units"].sum()
    normal = subcategory_cover.loc[subcategory_cover["direction"].isna(), "cover"]
    assert 10 <= normal.median() <= 14
    assert normal.between(6, 20).all()
    stock = snapshot.groupby("store_id")[["on_hand_units", "in_transit_units"]].sum().sum(axis=1)
    capacity = tables["stores"].set_index("store_id")["storage_capacity_units"]
    assert (stock <= capacity.loc[stock.index]).all()


def test_planted_imbalances_stand_out_in_their_format(
    tables: dict[str, pd.DataFrame], subcategory_cover: pd.DataFrame
) -> None:
    planted = tables["planted_imbalances"]
    assert len(planted) >= 2
    assert set(planted["direction"]) == {"over", "under"}
    over = planted["direction"] == "over"
    assert planted.loc[over, "cover_multiplier"].between(3, 4).all()
    assert planted.loc[~over, "cover_multiplier"].between(0.1, 0.25).all()
    formats = planted.merge(tables["stores"], on="store_id")
    assert not formats.duplicated(["format", "subcategory"]).any()

    group = subcategory_cover.groupby(["format", "subcategory"])["cover"]
    z = (subcategory_cover["cover"] - group.transform("mean")) / group.transform("std")
    flagged = subcategory_cover.assign(z=z)[z.abs() > 2]
    found = set(zip(flagged["store_id"], flagged["subcategory"], strict=True))
    assert set(zip(planted["store_id"], planted["subcategory"], strict=True)) <= found
    for row in subcategory_cover[subcategory_cover["direction"].notna()].itertuples():
        peers = subcategory_cover[
            (subcategory_cover["format"] == row.format)
            & (subcategory_cover["subcategory"] == row.subcategory)
            & (subcategory_cover["store_id"] != row.store_id)
        ]
        assert len(peers) >= 5
        ratio = row.cover / peers["cover"].median()
        assert ratio > 2.5 if row.direction == "over" else ratio < 0.35


def test_customer_orders_have_recency_frequency_and_monetary_spread(
    tables: dict[str, pd.DataFrame],
) -> None:
    orders = tables["customer_orders"]
    prices = tables["products"].set_index("product_id")["unit_price"]
    full_price = orders["units"] * prices.loc[orders["product_id"]].to_numpy()
    assert (orders["amount"] <= full_price + 0.01).all()
    assert (orders["amount"] >= 0.6 * full_price - 0.01).all()
    per_customer = orders.groupby("customer_id").agg(
        frequency=("order_id", "nunique"), monetary=("amount", "sum"), last=("order_date", "max")
    )
    assert len(per_customer) > 0.9 * DEMO_SIZES["tiny"].n_customers
    recency = (orders["order_date"].max() - per_customer["last"]).dt.days
    assert per_customer["frequency"].std() / per_customer["frequency"].mean() > 0.7
    assert per_customer["monetary"].quantile(0.9) > 5 * per_customer["monetary"].quantile(0.25)
    assert (recency > 90).mean() > 0.05
    assert (recency < 30).mean() > 0.3
    # Customers mostly buy at one store: their home store.
    home_share = orders.groupby("customer_id")["store_id"].agg(
        lambda s: s.value_counts().iloc[0] / len(s)
    )
    assert home_share.median() > 0.8


def test_assumptions_say_the_data_is_synthetic(tables: dict[str, pd.DataFrame]) -> None:
    assumptions = tables["dataset_assumptions"].set_index("topic")
    assert (assumptions["dataset"] == "demo").all()
    assert "synthetic" in assumptions.loc["synthetic", "assumption"]
    assert assumptions.loc["seed", "setting"] == "seed=42"
    assert "n_stores=12" in assumptions.loc["size", "setting"]


# --- demand profiles ----------------------------------------------------------------------------

PROFILE_NAMES = ("smooth", "mixed", "intermittent")


@pytest.fixture(scope="module")
def profile_dirs(tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path) -> dict[str, Path]:
    dirs = {"smooth": tiny_dir}
    for name in ("mixed", "intermittent"):
        dirs[name] = tmp_path_factory.mktemp(f"demo_{name}")
        generate_demo_data(dirs[name], DEMO_SIZES["tiny"], seed=42, profile=name)
    return dirs


def _series_stats(sales: pd.DataFrame) -> pd.DataFrame:
    end = sales["date"].max()
    sold = sales[sales["units_sold"] > 0]
    return pd.DataFrame(
        {
            "first_day": sales.groupby(["store_id", "product_id"])["date"].min(),
            "last_sale": sold.groupby(["store_id", "product_id"])["date"].max(),
            "zero_share": sales.assign(zero=sales["units_sold"] == 0)
            .groupby(["store_id", "product_id"])["zero"]
            .mean(),
        }
    ).assign(days_since_sale=lambda f: (end - f["last_sale"]).dt.days)


def test_profiles_are_known_and_default_is_mixed(tmp_path: Path) -> None:
    from python_assets.inputs.demo import DEFAULT_PROFILE
    from python_assets.settings import WarehouseSettings

    assert set(DEMO_PROFILES) == set(PROFILE_NAMES)
    assert DEFAULT_PROFILE == "mixed"
    assert WarehouseSettings().demo_profile == DEFAULT_PROFILE
    with pytest.raises(ValueError, match="DEMO_PROFILE must be one of"):
        generate_demo_data(tmp_path, DEMO_SIZES["tiny"], profile="spiky")


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_each_profile_is_deterministic_and_valid(
    profile_dirs: dict[str, Path], tmp_path: Path, profile: str
) -> None:
    generate_demo_data(tmp_path, DEMO_SIZES["tiny"], seed=42, profile=profile)
    for table in INPUT_TABLES:
        name = f"{table.name}.parquet"
        assert (tmp_path / name).read_bytes() == (profile_dirs[profile] / name).read_bytes()
    assert set(validate_inputs(tmp_path)) == {t.name for t in INPUT_TABLES}
    assumptions = pq.read_table(tmp_path / "dataset_assumptions.parquet").to_pandas(
        date_as_object=False
    )
    setting = assumptions.set_index("topic").loc["profile", "setting"]
    assert setting.startswith(f"profile={profile}")


def test_profiles_differ(profile_dirs: dict[str, Path]) -> None:
    units = {
        p: pq.read_table(d / "sales_daily.parquet")["units_sold"].to_numpy()
        for p, d in profile_dirs.items()
    }
    assert not np.array_equal(units["smooth"], units["mixed"])
    assert not np.array_equal(units["mixed"], units["intermittent"])


def test_zero_day_share_grows_from_smooth_to_intermittent(profile_dirs: dict[str, Path]) -> None:
    share = {}
    for profile, folder in profile_dirs.items():
        sales = pq.read_table(folder / "sales_daily.parquet").to_pandas(date_as_object=False)
        assert (sales["units_sold"] == np.round(sales["units_sold"])).all(), profile
        share[profile] = _series_stats(sales)["zero_share"]
    overall = {p: s.mean() for p, s in share.items()}
    assert overall["smooth"] < 0.35
    assert 0.4 < overall["mixed"] < 0.65
    assert overall["intermittent"] > max(0.55, overall["mixed"] + 0.1)
    # a long tail: many series with mostly zero days, but not all of them in mixed
    assert 0.15 < (share["mixed"] > 0.8).mean() < 0.5
    assert (share["intermittent"] > 0.8).mean() > 0.45
    assert (share["smooth"] > 0.8).mean() < 0.1


def test_smooth_profile_has_no_launches_or_discontinued_items(tables) -> None:
    stats = _series_stats(tables["sales_daily"])
    assert (stats["first_day"] == tables["sales_daily"]["date"].min()).all()
    assert (stats["days_since_sale"] < 21).all()


@pytest.mark.parametrize("profile", ["mixed", "intermittent"])
def test_launches_and_discontinued_items(profile_dirs: dict[str, Path], profile: str) -> None:
    sales = pq.read_table(profile_dirs[profile] / "sales_daily.parquet").to_pandas(
        date_as_object=False
    )
    start, end = sales["date"].min(), sales["date"].max()
    stats = _series_stats(sales)
    launched = stats[stats["first_day"] > start]
    assert launched.index.get_level_values("product_id").nunique() >= 2
    # one product launched two days before the last day, selling a spike on its first day
    late = launched[launched["first_day"] == end - pd.Timedelta(days=2)]
    assert late.index.get_level_values("product_id").nunique() == 1
    series = sales.set_index(["store_id", "product_id"]).loc[late.index].reset_index()
    first_day = series[series["date"] == end - pd.Timedelta(days=2)]["units_sold"]
    usual = sales[sales["date"] == end - pd.Timedelta(days=2)]["units_sold"]
    assert first_day.median() > 5 * usual.median()
    assert first_day.sum() > 300
    # discontinued: the product's rows go on, its sales stopped 3 to 10 weeks before the end
    by_product = stats.groupby("product_id")["days_since_sale"].min()
    stopped = by_product[by_product >= 14]
    assert len(stopped) >= 1
    assert (stopped <= 7 * 10 + 7).all()
    orders = pq.read_table(profile_dirs[profile] / "customer_orders.parquet").to_pandas(
        date_as_object=False
    )
    late_product = late.index.get_level_values("product_id")[0]
    late_orders = orders[orders["product_id"] == late_product]
    assert (late_orders["order_date"] >= end - pd.Timedelta(days=2)).all()


def test_demo_profile_setting_reaches_the_generated_files(tmp_path: Path) -> None:
    from dagster_defs.resources import WarehouseSettingsResource
    from python_assets.inputs.datasets import prepare_input_files
    from python_assets.settings import WarehouseSettings

    environ = {"DUCKDB_PATH": str(tmp_path / "wh.duckdb"), "DEMO_SIZE": "tiny"}
    assert WarehouseSettings.from_env(environ).demo_profile == "mixed"
    settings = WarehouseSettings.from_env({**environ, "DEMO_PROFILE": "intermittent"})
    resource = WarehouseSettingsResource.from_settings(settings)
    assert resource.demo_profile == "intermittent"
    assert resource.settings() == settings
    prepare_input_files(settings)
    assumptions = pq.read_table(settings.resolved_input_dir / "dataset_assumptions.parquet")
    topics = dict(
        zip(assumptions["topic"].to_pylist(), assumptions["setting"].to_pylist(), strict=True)
    )
    assert topics["profile"].startswith("profile=intermittent")
