"""Drift of demand per demand class: the recent window against the training window before it,
by a two-sample Kolmogorov-Smirnov test on daily units per series-day (docs/methodology.md,
"Monitoring the forecast").

Only days whose sales are the demand are compared (stockout-censored days are left out), so a
run of stockouts does not read as a fall in demand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from python_assets.forecasting.guardrails import CheckOutcome
from python_assets.forecasting.monitoring import (
    MonitoringSettings,
    require_columns,
    sales_not_demand,
)

DRIFT_TEST = "ks_2samp"
# classes defined by their recent sales (a first sale, or no sale, in the last days before the
# origin): their recent window differs from the one before by definition, so they are not tested
DEFINED_BY_RECENT_SALES = ("new", "inactive")


def demand_drift(
    sales: pd.DataFrame,
    classes: pd.DataFrame,
    settings: MonitoringSettings = MonitoringSettings(),
) -> pd.DataFrame:
    """One row per demand class (plus 'all'): the KS statistic and p-value of daily units in the
    last drift_recent_days days against the drift_reference_days days before them, and whether
    the class drifted (p-value below drift_alpha and statistic at least drift_min_statistic).
    The classes of DEFINED_BY_RECENT_SALES get their counts and means but no test.

    sales: store_id, product_id, sales_date, units_sold, is_stockout_censored (and optionally
        is_store_closed); days whose sales are not the demand (monitoring.sales_not_demand) are
        left out.
    classes: store_id, product_id, demand_class (the classes at the origin).
    """
    require_columns(
        sales,
        "sales",
        ["store_id", "product_id", "sales_date", "units_sold", "is_stockout_censored"],
    )
    require_columns(classes, "demand classes", ["store_id", "product_id", "demand_class"])
    dates = pd.to_datetime(sales["sales_date"])
    latest = dates.max()
    recent_start = latest - pd.Timedelta(days=settings.drift_recent_days - 1)
    reference_start = recent_start - pd.Timedelta(days=settings.drift_reference_days)
    demand_days = sales.assign(sales_date=dates)[
        (dates >= reference_start) & ~sales_not_demand(sales)
    ].merge(
        classes[["store_id", "product_id", "demand_class"]],
        on=["store_id", "product_id"],
        how="inner",
    )
    is_recent = (demand_days["sales_date"] >= recent_start).to_numpy()
    units = demand_days["units_sold"].to_numpy(dtype=np.float64)
    class_of_row = demand_days["demand_class"].to_numpy()
    groups = [("all", np.ones(len(units), dtype=bool))] + [
        (str(c), class_of_row == c) for c in sorted(pd.unique(class_of_row))
    ]
    rows = []
    for demand_class, in_class in groups:
        recent, reference = units[in_class & is_recent], units[in_class & ~is_recent]
        row = {
            "demand_class": demand_class,
            "test": DRIFT_TEST,
            "reference_start_date": reference_start,
            "recent_start_date": recent_start,
            "recent_end_date": latest,
            "n_reference": len(reference),
            "n_recent": len(recent),
            "mean_reference": float(reference.mean()) if len(reference) else np.nan,
            "mean_recent": float(recent.mean()) if len(recent) else np.nan,
            "statistic": np.nan,
            "p_value": np.nan,
            "alpha": settings.drift_alpha,
            "min_statistic": settings.drift_min_statistic,
            "drifted": False,
        }
        testable = demand_class not in DEFINED_BY_RECENT_SALES
        if testable and min(len(recent), len(reference)) >= settings.drift_min_observations:
            result = ks_2samp(recent, reference)
            row["statistic"] = float(result.statistic)
            row["p_value"] = float(result.pvalue)
            row["drifted"] = bool(
                result.pvalue < settings.drift_alpha
                and result.statistic >= settings.drift_min_statistic
            )
        rows.append(row)
    return pd.DataFrame(rows)


def drift_check(drift: pd.DataFrame) -> CheckOutcome:
    """Passes when no demand class drifted; the description names those that did, or says that
    no class had the data to be tested."""
    drifted = drift[drift["drifted"].astype(bool)]
    tested = int(drift["statistic"].notna().sum())
    metadata: dict[str, float | str] = {"classes_tested": tested, "classes_drifted": len(drifted)}
    if tested == 0:
        return CheckOutcome(
            "demand_not_drifted",
            True,
            "no demand class has both reference and recent days to compare: nothing to check",
            metadata,
        )
    if drifted.empty:
        return CheckOutcome("demand_not_drifted", True, "no demand class drifted", metadata)
    named = ", ".join(
        f"{r.demand_class} (KS {r.statistic:.2f}, mean {r.mean_reference:.2f} -> {r.mean_recent:.2f})"
        for r in drifted.itertuples()
    )
    return CheckOutcome(
        "demand_not_drifted", False, f"demand drifted since the training window: {named}", metadata
    )
