"""Monitoring of the forecasts earlier runs recorded: each is scored against the sales that have
arrived since its origin, per run x origin, overall, per demand class and per region
(docs/methodology.md, "Monitoring the forecast").

Stockout-censored days are left out of the scores: their sales understate demand, and scoring a
forecast of demand against the latent-demand estimate would score one model against another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_assets.forecasting.guardrails import CheckOutcome
from python_assets.forecasting.metrics import level_label
from python_assets.forecasting.panel import store_closed_rows
from python_assets.forecasting.selection import CHOSEN_MODEL


@dataclass(frozen=True)
class MonitoringSettings:
    """Every knob of the forecast monitoring and the demand-drift test, with its default.

    interval_levels: the forecast's central intervals whose coverage is scored
        (columns lower_80 / upper_80 ...).
    max_wape_increase: the accuracy check warns when the latest monitored WAPE (all series) is
        more than this share above the chosen model's backtest WAPE (0.25 = 25% above).
    drift_recent_days: the recent window of the drift test: this many days up to the origin.
    drift_reference_days: the training window it is compared with: this many days before the
        recent window (inside the history the forecast reads).
    drift_alpha: a class can be drifted only if the two-sample Kolmogorov-Smirnov test rejects
        equal distributions at this level...
    drift_min_statistic: ...and the KS statistic (largest gap between the two empirical CDFs) is
        at least this: with thousands of series-days any negligible change is significant.
    drift_min_observations: fewer series-days than this in either window: no test.
    """

    interval_levels: tuple[float, ...] = (0.8, 0.95)
    max_wape_increase: float = 0.25
    drift_recent_days: int = 28
    drift_reference_days: int = 91
    drift_alpha: float = 0.01
    drift_min_statistic: float = 0.1
    drift_min_observations: int = 30

    def __post_init__(self) -> None:
        if min(self.drift_recent_days, self.drift_reference_days) < 1:
            raise ValueError("drift_recent_days and drift_reference_days must be >= 1")
        if not 0 < self.drift_alpha < 1:
            raise ValueError(f"drift_alpha must be in (0, 1), got {self.drift_alpha}")
        if self.max_wape_increase < 0:
            raise ValueError(f"max_wape_increase must be >= 0, got {self.max_wape_increase}")


RUN_KEY = ["run_id", "origin_date", "recorded_at"]
SEGMENT_KEY = [*RUN_KEY, "segment_type", "segment_value"]
MONITORING_COLUMNS = [
    *SEGMENT_KEY,
    "first_scored_date",
    "last_scored_date",
    "scored_rows",
    "censored_rows_excluded",
    "actual_units",
    "forecast_units",
    "wape",
    "wpe",
]


def require_columns(frame: pd.DataFrame, name: str, columns: list[str]) -> None:
    """A clear error naming the frame and the columns it lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing} (has {list(frame.columns)})")


def sales_not_demand(sales: pd.DataFrame) -> np.ndarray:
    """Days whose sales are not the demand: stockout-censored, or the store was closed
    (is_store_closed, where the frame has it). Neither is scored or tested."""
    censored = sales["is_stockout_censored"].fillna(False).to_numpy(dtype=bool)
    return censored | store_closed_rows(sales)


def score_forecast_history(
    history: pd.DataFrame,
    sales: pd.DataFrame,
    stores: pd.DataFrame,
    settings: MonitoringSettings = MonitoringSettings(),
) -> pd.DataFrame:
    """WAPE, WPE and interval coverage of every recorded forecast on its days that have sales.

    history: forecasting.forecast_history rows (run_id, origin_date, recorded_at, store_id,
        product_id, forecast_date, forecast_units, lower_/upper_<level>, demand_class).
    sales: store_id, product_id, sales_date, units_sold, is_stockout_censored (and optionally
        is_store_closed: see sales_not_demand).
    stores: store_id, region.
    One row per run x origin x segment (all / demand_class / region); a forecast none of whose
    days has sales yet gives no rows. wape = sum|F - A| / sum A, wpe = sum(F - A) / sum A
    (positive = over-forecast), coverage_<level> = share of scored days with A inside the interval.
    """
    bounds = [
        f"{side}_{level_label(lv)}"
        for lv in settings.interval_levels
        for side in ("lower", "upper")
    ]
    require_columns(
        history,
        "forecast history",
        [
            *RUN_KEY,
            "store_id",
            "product_id",
            "forecast_date",
            "forecast_units",
            "demand_class",
            *bounds,
        ],
    )
    require_columns(
        sales,
        "sales",
        ["store_id", "product_id", "sales_date", "units_sold", "is_stockout_censored"],
    )
    require_columns(stores, "stores", ["store_id", "region"])
    coverage_columns = [f"coverage_{level_label(lv)}" for lv in settings.interval_levels]
    actuals = sales.rename(columns={"sales_date": "forecast_date"})[
        ["store_id", "product_id", "forecast_date", "units_sold"]
    ].assign(not_demand=sales_not_demand(sales))
    joined = history.assign(forecast_date=pd.to_datetime(history["forecast_date"])).merge(
        actuals.assign(forecast_date=pd.to_datetime(actuals["forecast_date"])),
        on=["store_id", "product_id", "forecast_date"],
        how="inner",
    )
    joined = joined[joined["forecast_date"] > pd.to_datetime(joined["origin_date"])]
    if joined.empty:
        return pd.DataFrame(columns=[*MONITORING_COLUMNS, *coverage_columns])
    joined = joined.merge(stores[["store_id", "region"]], on="store_id", how="left")

    scored = ~joined["not_demand"].to_numpy(dtype=bool)
    actual = np.where(scored, joined["units_sold"].to_numpy(dtype=np.float64), 0.0)
    forecast = np.where(scored, joined["forecast_units"].to_numpy(dtype=np.float64), 0.0)
    parts = {
        "scored_rows": scored.astype(np.int64),
        "censored_rows_excluded": (~scored).astype(np.int64),
        "actual_units": actual,
        "forecast_units": forecast,
        "abs_error": np.abs(forecast - actual),
        "error": forecast - actual,
        "scored_date": joined["forecast_date"].where(scored),
    }
    for level, column in zip(settings.interval_levels, coverage_columns, strict=True):
        label = level_label(level)
        inside = (actual >= joined[f"lower_{label}"].to_numpy()) & (
            actual <= joined[f"upper_{label}"].to_numpy()
        )
        parts[column] = (scored & inside).astype(np.int64)
    rows = pd.DataFrame(parts, index=joined.index)
    rows[RUN_KEY] = joined[RUN_KEY]
    segments = pd.concat(
        [
            rows.assign(segment_type="all", segment_value="all"),
            rows.assign(
                segment_type="demand_class", segment_value=joined["demand_class"].fillna("unknown")
            ),
            rows.assign(segment_type="region", segment_value=joined["region"].fillna("unknown")),
        ],
        ignore_index=True,
    )
    sums = (
        segments.groupby(SEGMENT_KEY, dropna=False)
        .agg(
            first_scored_date=("scored_date", "min"),
            last_scored_date=("scored_date", "max"),
            **{
                c: (c, "sum")
                for c in [
                    "scored_rows",
                    "censored_rows_excluded",
                    "actual_units",
                    "forecast_units",
                    "abs_error",
                    "error",
                    *coverage_columns,
                ]
            },
        )
        .reset_index()
    )
    units = sums["actual_units"].where(sums["actual_units"] > 0)
    sums["wape"] = sums["abs_error"] / units
    sums["wpe"] = sums["error"] / units
    days = sums["scored_rows"].where(sums["scored_rows"] > 0)
    for column in coverage_columns:
        sums[column] = sums[column] / days
    return sums[[*MONITORING_COLUMNS, *coverage_columns]].sort_values(
        SEGMENT_KEY, ignore_index=True
    )


def accuracy_degradation_check(
    monitoring: pd.DataFrame, backtest: pd.DataFrame, settings: MonitoringSettings
) -> CheckOutcome:
    """The latest scored forecast's WAPE (all series; the last run recorded at the latest scored
    origin) against the backtest WAPE of the chosen model (all windows pooled): a warning when it
    is more than settings.max_wape_increase above."""
    name = "forecast_accuracy_within_backtest"
    overall = monitoring[(monitoring["segment_type"] == "all") & monitoring["wape"].notna()]
    reference = backtest[
        (backtest["model"] == CHOSEN_MODEL)
        & (backtest["segment_type"] == "all")
        & (backtest["window"] == 0)
    ]["wape"].dropna()
    if overall.empty or reference.empty:
        return CheckOutcome(
            name,
            True,
            "no earlier forecast with arrived sales, or no backtest: nothing to compare yet",
        )
    latest = overall.sort_values(["origin_date", "recorded_at"]).iloc[-1]
    backtest_wape = float(reference.iloc[0])
    bound = backtest_wape * (1 + settings.max_wape_increase)
    monitored = float(latest["wape"])
    metadata: dict[str, float | str] = {
        "run_id": str(latest["run_id"]),
        "origin_date": str(pd.Timestamp(latest["origin_date"]).date()),
        "monitored_wape": round(monitored, 4),
        "backtest_wape": round(backtest_wape, 4),
        "bound": round(bound, 4),
    }
    passed = monitored <= bound
    verdict = "within" if passed else "above"
    description = (
        f"WAPE of the forecast made at {metadata['origin_date']} on the sales since: {monitored:.3f}, "
        f"{verdict} the bound {bound:.3f} (backtest {backtest_wape:.3f} + {settings.max_wape_increase:.0%})"
    )
    return CheckOutcome(name, passed, description, metadata)
