"""How much better (or worse) a policy did than another over the replayed origins, with a
confidence interval and a paired test (docs/methodology.md, "Policy replay").

The unit of resampling is the store (a block bootstrap by store): a store's results at the
different origins share its stock, its demand and its neighbours, so they are resampled together.
Cost: the mean over origins of the network's total cost, policy minus comparator. Fill rate:
served over demand, pooled over stores and origins, policy minus comparator. The p-value is a
paired Wilcoxon signed-rank test over stores of the per-store difference (cost per origin, served
units); with no difference anywhere it is 1. With one store there is nothing to resample or
test: the interval and the p-value are NaN (NULL in the marts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from python_assets.forecasting.guardrails import CheckOutcome

SUMMARY_COLUMNS = (
    "policy_name",
    "comparator",
    "metric",
    "policy_value",
    "comparator_value",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "n_stores",
    "n_origins",
)


@dataclass(frozen=True)
class CompareSettings:
    """confidence: of the bootstrap interval; n_resamples and seed: of the bootstrap."""

    confidence: float = 0.95
    n_resamples: int = 2000
    seed: int = 0


def _interval(
    data: tuple[np.ndarray, ...], statistic, settings: CompareSettings
) -> tuple[float, float]:
    if len(data[0]) < 2:
        return float("nan"), float("nan")
    result = stats.bootstrap(
        data,
        statistic,
        paired=True,
        vectorized=True,
        confidence_level=settings.confidence,
        n_resamples=settings.n_resamples,
        method="percentile",
        rng=np.random.default_rng(settings.seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _p_value(differences: np.ndarray) -> float:
    if len(differences) < 2:
        return float("nan")
    if np.allclose(differences, 0.0):
        return 1.0
    return float(stats.wilcoxon(differences, zero_method="zsplit").pvalue)


def _compare_pair(
    per_store: pd.DataFrame,
    n_origins: int,
    policy: str,
    comparator: str,
    settings: CompareSettings,
) -> list[dict[str, object]]:
    """The cost and fill-rate rows of `policy` against `comparator` (SUMMARY_COLUMNS), from the
    sums per policy x store over the origins."""
    mine = per_store.loc[policy]
    theirs = per_store.loc[comparator].reindex(mine.index).fillna(0.0)
    demand = mine["demand_units"].to_numpy()
    cost_p = mine["total_cost"].to_numpy() / n_origins
    cost_c = theirs["total_cost"].to_numpy() / n_origins
    served_p = mine["served_units"].to_numpy()
    served_c = theirs["served_units"].to_numpy()
    total_demand = demand.sum()

    def cost_difference(p: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.sum(p - c, axis=axis)

    def fill_difference(p: np.ndarray, c: np.ndarray, d: np.ndarray, axis: int = -1) -> np.ndarray:
        total = np.sum(d, axis=axis)
        return np.sum(p - c, axis=axis) / np.where(total > 0, total, 1.0)

    fill_p = served_p.sum() / total_demand if total_demand > 0 else 1.0
    fill_c = served_c.sum() / total_demand if total_demand > 0 else 1.0
    common = {"policy_name": policy, "comparator": comparator, "n_stores": len(mine)}
    low, high = _interval((cost_p, cost_c), cost_difference, settings)
    rows = [
        {
            **common,
            "metric": "total_cost",
            "policy_value": cost_p.sum(),
            "comparator_value": cost_c.sum(),
            "difference": cost_p.sum() - cost_c.sum(),
            "ci_low": low,
            "ci_high": high,
            "p_value": _p_value(cost_p - cost_c),
        }
    ]
    low, high = _interval((served_p, served_c, demand), fill_difference, settings)
    rows.append(
        {
            **common,
            "metric": "fill_rate",
            "policy_value": fill_p,
            "comparator_value": fill_c,
            "difference": fill_p - fill_c,
            "ci_low": low,
            "ci_high": high,
            "p_value": _p_value(served_p - served_c),
        }
    )
    for row in rows:
        row["n_origins"] = n_origins
    return rows


def compare_policies(
    detail: pd.DataFrame,
    comparators: tuple[str, ...] = ("do_nothing", "perfect_foresight"),
    settings: CompareSettings = CompareSettings(),
) -> pd.DataFrame:
    """Every policy of `detail` against each comparator present (SUMMARY_COLUMNS).

    detail: origin_date, policy_name, store_id, total_cost, served_units, demand_units (one row per
    origin x policy x store x product, as replay_policies writes it)."""
    present = list(dict.fromkeys(detail["policy_name"]))
    n_origins = int(detail["origin_date"].nunique())
    per_store = detail.groupby(["policy_name", "store_id"])[
        ["total_cost", "served_units", "demand_units"]
    ].sum()
    rows = [
        row
        for comparator in comparators
        if comparator in present
        for policy in present
        if policy != comparator
        for row in _compare_pair(per_store, n_origins, policy, comparator, settings)
    ]
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    types = {c: "float64" for c in SUMMARY_COLUMNS[3:]}
    return summary.astype(
        types
        | {"policy_name": "string", "comparator": "string", "metric": "string"}
        | {"n_stores": "int64", "n_origins": "int64"}
    )


def replay_check(summary: pd.DataFrame) -> CheckOutcome:
    """Warns when the optimised plan cost more than doing nothing over the replayed origins."""
    name = "plan_not_worse_than_doing_nothing"
    rows = (
        summary[
            (summary["policy_name"] == "optimised")
            & (summary["comparator"] == "do_nothing")
            & (summary["metric"] == "total_cost")
        ]
        if len(summary)
        else summary
    )
    if rows.empty:
        return CheckOutcome(
            name, True, "no replay of the plan against doing nothing: nothing to check"
        )
    row = rows.iloc[0]
    worse = bool(row["difference"] > 0)
    evidence = (
        f"95% interval {row['ci_low']:+,.0f} to {row['ci_high']:+,.0f}, p = {row['p_value']:.3g}"
        if row["n_stores"] > 1
        else "one store: no interval, no test"
    )
    description = (
        f"over {row['n_origins']} origins the plan cost {row['difference']:+,.0f} per origin "
        f"against doing nothing ({evidence})"
    )
    return CheckOutcome(
        name,
        not worse,
        ("WORSE than doing nothing: " if worse else "") + description,
        {k: float(row[k]) for k in ("difference", "ci_low", "ci_high", "p_value")},
    )
