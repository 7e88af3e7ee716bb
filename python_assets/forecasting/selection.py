"""Model choice per demand class on the backtest's H-day totals, with a bias bound, so that a
forecast of zero cannot win on intermittent series (docs/methodology.md, "Model choice").

Per class, a candidate is eligible if |WPE| of its H-day totals (all backtest windows pooled) is
within the bound and it forecasts a zero total for at most max_zero_share of the series that sold
shortly before the origin and went on selling in the window (missed_total_share: a series that
stopped selling is right to be forecast zero); the eligible one with the lowest WAPE of the totals
wins, a tie (within a tolerance) going to the simpler model family and, within a family, to the
less biased model; with none eligible, the smallest |WPE| wins. A class that sold nothing in the
backtest is decided on the mean absolute error of the totals (units), among the candidates that
forecast a zero total for at most max_zero_share of the series that sold shortly before the
origin (zero_total_share) where there are any.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.forecasting.settings import SelectionSettings

# model families, simplest first: a tie goes to the family that assumes least; within a family
# (moving averages of different windows; the global model and its mean-calibrated form, one fit)
# to the smaller |WPE| of the totals, what the allocation feels
MODEL_COMPLEXITY: tuple[str, ...] = (
    "zero",
    "seasonal_naive",
    "moving_average",
    "shrunk_mean",
    "sba",
    "tsb",
    "ets",
    "gradient_boosting",
)
CLASS_SEGMENT = "demand_class"
# the backtest's name for the forecast that uses each class's chosen model
CHOSEN_MODEL = "chosen_per_class"


def complexity_rank(model: str) -> int:
    """Position of the model's family in MODEL_COMPLEXITY (unknown families last)."""
    base = model.removesuffix("_sales")
    family = "moving_average" if base.startswith("moving_average_") else base
    family = "gradient_boosting" if family == "gradient_boosting_mean" else family
    return MODEL_COMPLEXITY.index(family) if family in MODEL_COMPLEXITY else len(MODEL_COMPLEXITY)


def choose_among(candidates: pd.DataFrame, settings: SelectionSettings) -> str:
    """The winner among candidates: rows with model, score_total_wape, wpe_total, mae_total and
    (optionally) zero_total_share and missed_total_share."""
    frame = candidates.assign(
        rank=candidates["model"].map(complexity_rank), bias=candidates["wpe_total"].abs()
    ).reset_index(drop=True)
    score = frame["score_total_wape"].to_numpy(dtype=np.float64)
    bias = frame["bias"].to_numpy(dtype=np.float64)

    def within_zero_bound(column: str) -> np.ndarray:
        share = (
            frame[column].to_numpy(dtype=np.float64) if column in frame else np.zeros(len(frame))
        )
        return ~(share > settings.max_zero_share)

    # a model that leaves series at zero while they go on selling is out, however good its score
    keeps_selling = within_zero_bound("missed_total_share")
    if not np.isfinite(score).any():  # nothing sold: no percentage to speak of
        score = frame["mae_total"].to_numpy(dtype=np.float64)
        # zero's error is 0 here and no sale was missed, yet series that sold before the origin
        # (a launch seen only on a few series at a backtest origin) must not be left at zero
        keeps_selling = within_zero_bound("zero_total_share")
        eligible = np.isfinite(score) & keeps_selling
        if not eligible.any():
            eligible = np.isfinite(score)
    else:
        eligible = np.isfinite(score) & (bias <= settings.bias_bound) & keeps_selling
    if not eligible.any():
        fallback = keeps_selling if (keeps_selling & np.isfinite(bias)).any() else True
        score, eligible = bias, np.isfinite(bias) & fallback
    if not eligible.any():
        return str(frame.sort_values("rank")["model"].iloc[0])
    best = np.min(score[eligible])
    tied = eligible & (score <= best + settings.score_tolerance)
    return str(frame[tied].sort_values(["rank", "bias"], kind="stable")["model"].iloc[0])


def choose_per_class(backtest: pd.DataFrame, settings: SelectionSettings) -> dict[str, str]:
    """Class -> chosen model, from the pooled (window 0) demand_class rows of the backtest, plus
    'all' -> the choice on all series (for a class the backtest never saw)."""
    pooled = backtest[backtest["window"] == 0]
    choice: dict[str, str] = {}
    for value, group in pooled[pooled["segment_type"] == CLASS_SEGMENT].groupby("segment_value"):
        choice[str(value)] = choose_among(group, settings)
    overall = pooled[pooled["segment_type"] == "all"]
    if len(overall):
        choice["all"] = choose_among(overall, settings)
    return choice


def model_per_series(demand_class: np.ndarray, choice: dict[str, str], default: str) -> np.ndarray:
    """The chosen model of each series' class (default where the class has no choice)."""
    fallback = choice.get("all", default)
    return np.array([choice.get(str(c), fallback) for c in demand_class], dtype=object)


def mark_chosen(backtest: pd.DataFrame, choice: dict[str, str]) -> pd.Series:
    """is_chosen per backtest row: the chosen model's rows of its class, and every row of the
    composite CHOSEN_MODEL."""
    by_class = backtest["segment_type"] == CLASS_SEGMENT
    chosen_class = by_class & (backtest["model"] == backtest["segment_value"].map(choice))
    return chosen_class | (backtest["model"] == CHOSEN_MODEL)


def choice_table(backtest: pd.DataFrame) -> pd.DataFrame:
    """Every candidate's pooled backtest score per demand class, the chosen one marked (what the
    forecast asset shows on its materialisation)."""
    columns = [
        "segment_value",
        "model",
        "is_chosen",
        "score_total_wape",
        "wpe_total",
        "zero_total_share",
        "missed_total_share",
        "actual_units",
        "wape",
        "coverage_80",
        "coverage_total_80",
    ]
    pooled = backtest[(backtest["window"] == 0) & (backtest["segment_type"] == CLASS_SEGMENT)]
    table = pooled[columns].rename(columns={"segment_value": "demand_class"})
    return table.sort_values(["demand_class", "score_total_wape"]).round(4)
