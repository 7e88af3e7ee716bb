"""The Z-score rule as of any date: Python references of the dbt models behind the rule's moves,
for the policy replay, which applies the rule at past origins with what was known then.

seasonal_blend          int_sales_seasonally_blended (the blended daily demand, with D = as_of)
store_subcategory_zscores   int_store_subcategory_zscores (metric, group mean and std, z, flag)
rebalancing_positions   int_rebalancing_product_positions (each product's units at the mean)
rule_moves_at           the three above and `plan_rebalancing_moves`: the rule's moves

The warehouse computes the rule for today in SQL; tests keep these references equal to it on
the tiny warehouse (tests/imbalance/test_zscores.py). See docs/methodology.md, "The Z-score
imbalance rule" and "Policy replay".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from python_assets.imbalance.rebalancing import plan_rebalancing_moves
from python_assets.optimization.constraints import safety_stock

KEY = ["store_id", "product_id"]
YEAR_DAYS = 364  # one year back, weekday-aligned


@dataclass(frozen=True)
class RuleSettings:
    """The settings of the rule (seeds/rule_settings.csv, seeds/cost_parameters.csv)."""

    zscore_threshold: float = 2.0
    min_group_stores: int = 3
    allocation_metric: str = "days_of_cover"
    blend_recent_weight: float = 0.7
    blend_recent_weeks: int = 4
    min_display_units: float = 2.0
    replenishment_lead_time_days: float = 2.0

    @classmethod
    def from_settings(cls, values: Mapping[str, object]) -> RuleSettings:
        """From setting -> value (e.g. intermediate.int_settings_resolved), typed as declared."""
        return cls(**{f.name: type(f.default)(values[f.name]) for f in fields(cls)})


def seasonal_blend(
    daily: pd.DataFrame, as_of: pd.Timestamp, settings: RuleSettings = RuleSettings()
) -> pd.DataFrame:
    """Blended daily demand of every pair as of the end of `as_of`, from the days up to it.

    daily: store_id, product_id, sales_date, latent_demand_units, one row per pair and day from
    the pair's first sale (marts.fct_sales_daily). Returns store_id, product_id,
    blended_daily_demand, recent_daily_std, blend_method.
    """
    window = 7 * settings.blend_recent_weeks
    known = daily[pd.to_datetime(daily["sales_date"]) <= as_of]
    before = (as_of - pd.to_datetime(known["sales_date"])).dt.days.to_numpy()
    units = known["latent_demand_units"].astype(np.float64)
    frame = known[KEY].assign(
        recent=units.where(before < window),
        last_year_recent=units.where((before >= YEAR_DAYS) & (before < YEAR_DAYS + window)),
        last_year_season=units.where((before >= YEAR_DAYS - window) & (before < YEAR_DAYS)),
    )
    grouped = frame.groupby(KEY, sort=True)
    rates = grouped.mean()
    counts = grouped.count()
    recent_std = grouped["recent"].std(ddof=1).fillna(0.0)
    no_last_year = (counts["last_year_recent"] < window) | (counts["last_year_season"] < window)
    no_sales_last_year = ~no_last_year & (rates["last_year_recent"] == 0)
    seasonal = ~no_last_year & ~no_sales_last_year
    w = settings.blend_recent_weight
    blended = rates["recent"].where(
        ~seasonal,
        w * rates["recent"]
        + (1 - w) * rates["recent"] * rates["last_year_season"] / rates["last_year_recent"],
    )
    method = np.select(
        [no_last_year, no_sales_last_year],
        ["recent_only_no_last_year", "recent_only_no_sales_last_year"],
        "seasonal_blend",
    )
    return pd.DataFrame(
        {
            "blended_daily_demand": blended,
            "recent_daily_std": recent_std,
            "blend_method": method,
        },
        index=rates.index,
    ).reset_index()


def store_subcategory_zscores(
    positions: pd.DataFrame, clusters: pd.DataFrame, settings: RuleSettings = RuleSettings()
) -> pd.DataFrame:
    """The rule per store x subcategory: metric, its cluster x subcategory mean and population
    std, z, imbalance_flag ('over', 'under', 'balanced', 'not_scored') and units_at_mean.

    positions: store_id, product_id, subcategory, on_hand_units, blended_daily_demand.
    clusters: store_id, subcategory, cluster_id (store x subcategories without one are left out).
    """
    agg = positions.groupby(["store_id", "subcategory"], as_index=False, sort=True)[
        ["on_hand_units", "blended_daily_demand"]
    ].sum()
    frame = agg.merge(clusters[["store_id", "subcategory", "cluster_id"]], how="inner")
    frame["store_on_hand_units"] = frame.groupby("store_id")["on_hand_units"].transform("sum")
    if settings.allocation_metric == "unit_share":
        denominator = frame["store_on_hand_units"]
    else:
        denominator = frame["blended_daily_demand"]
    frame["metric_value"] = frame["on_hand_units"] / denominator.where(denominator != 0)
    group = frame.groupby(["cluster_id", "subcategory"])["metric_value"]
    frame["group_store_count"] = group.transform("count")
    frame["cluster_mean"] = group.transform("mean")
    frame["cluster_std"] = group.transform(lambda v: v.std(ddof=0))
    scored = (
        frame["metric_value"].notna()
        & (frame["group_store_count"] >= settings.min_group_stores)
        & (frame["cluster_std"] != 0)
    )
    frame["z_score"] = (
        (frame["metric_value"] - frame["cluster_mean"]) / frame["cluster_std"]
    ).where(scored)
    threshold = settings.zscore_threshold
    frame["imbalance_flag"] = np.select(
        [~scored, frame["z_score"] > threshold, frame["z_score"] < -threshold],
        ["not_scored", "over", "under"],
        "balanced",
    )
    base = (
        frame["store_on_hand_units"]
        if settings.allocation_metric == "unit_share"
        else frame["blended_daily_demand"]
    )
    frame["units_at_mean"] = frame["cluster_mean"] * base
    return frame


def rebalancing_positions(positions: pd.DataFrame, zscores: pd.DataFrame) -> pd.DataFrame:
    """The products of every cluster x subcategory holding a flagged case: on_hand_units,
    floor_units and target_units (the subcategory's units at the mean split by the product's
    share of the store's subcategory demand).

    positions: store_id, product_id, subcategory, on_hand_units, blended_daily_demand,
    floor_units.
    """
    flagged = zscores[zscores["imbalance_flag"].isin(["over", "under"])]
    groups = flagged[["cluster_id", "subcategory"]].drop_duplicates()
    in_groups = zscores.merge(groups, on=["cluster_id", "subcategory"])
    rows = positions.merge(
        in_groups[
            ["store_id", "subcategory", "cluster_id", "units_at_mean", "blended_daily_demand"]
        ].rename(columns={"blended_daily_demand": "subcategory_demand"}),
        on=["store_id", "subcategory"],
    )
    share = rows["blended_daily_demand"] / rows["subcategory_demand"].where(
        rows["subcategory_demand"] > 0
    )
    rows["target_units"] = (rows["units_at_mean"] * share).fillna(0.0)
    return rows[
        [
            "store_id",
            "product_id",
            "subcategory",
            "cluster_id",
            "on_hand_units",
            "floor_units",
            "target_units",
        ]
    ]


def floor_units(
    daily_demand_std: pd.Series | np.ndarray, z_alpha: float, settings: RuleSettings
) -> np.ndarray:
    """The floor a donor never gives below: the larger of safety stock (with the replenishment
    lead time) and the display minimum (int_inventory_positions.floor_units)."""
    sigma = np.asarray(daily_demand_std, dtype=np.float64)
    stock = safety_stock(z_alpha, sigma, settings.replenishment_lead_time_days)
    return np.maximum(stock, settings.min_display_units)


def rule_moves_at(
    as_of: pd.Timestamp,
    stock: pd.DataFrame,
    daily: pd.DataFrame,
    subcategories: pd.DataFrame,
    clusters: pd.DataFrame,
    z_alpha: float,
    settings: RuleSettings = RuleSettings(),
) -> pd.DataFrame:
    """The rule's moves (donor_store_id, receiver_store_id, product_id, units, ...) at the end
    of `as_of`, from the stock then (store_id, product_id, on_hand_units) and the sales up to it.

    subcategories: product_id, subcategory. clusters: store_id, subcategory, cluster_id.
    """
    demand = seasonal_blend(daily, as_of, settings)
    positions = stock[[*KEY, "on_hand_units"]].merge(demand, on=KEY, how="outer")
    positions = positions.merge(subcategories[["product_id", "subcategory"]], on="product_id")
    positions["on_hand_units"] = positions["on_hand_units"].fillna(0.0)
    positions["blended_daily_demand"] = positions["blended_daily_demand"].fillna(0.0)
    positions["floor_units"] = floor_units(
        positions["recent_daily_std"].fillna(0.0), z_alpha, settings
    )
    zscores = store_subcategory_zscores(positions, clusters, settings)
    return plan_rebalancing_moves(zscores, rebalancing_positions(positions, zscores)).moves
