"""Dense store x product x day arrays built from the daily sales mart, for vectorised forecasting.

Every forecasting model works on (n_series, n_days) numpy arrays instead of a long DataFrame: one
row per series, one column per calendar day, NaN before a series' first day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_KEYS: tuple[str, ...] = ("store_id", "product_id")
# Columns of marts.fct_sales_daily the forecast reads; optional ones may be missing or all NaN.
REQUIRED_HISTORY_COLUMNS: tuple[str, ...] = (
    "store_id",
    "product_id",
    "sales_date",
    "units_sold",
)
COVARIATE_COLUMNS: tuple[str, ...] = (
    "price_ratio",
    "is_promo",
    "is_holiday",
    "precipitation",
    "avg_temperature",
    "avg_humidity",
    "avg_wind_level",
)


@dataclass(frozen=True)
class DemandPanel:
    """The history as dense arrays, one row per series and one column per day.

    censored: the day's sales understate demand. Where the input has stockout_hours_6_22 (hours
    out of stock 06:00-22:00) that column decides, as in FreshRetailNet's own benchmark: a stockout
    at night, after the store closed its main trading hours, barely cuts sales. Otherwise
    is_stockout_censored (any stockout hour) decides. A day the store was closed
    (is_store_closed, where the history has it: the whole store sold nothing on a weekday it sells
    on) is censored too: its zeros say nothing about demand.
    business_stockout_hours: stockout_hours_6_22 where given, else stockout_hours.
    sold_before: per series, it sold before the history's first day (the history's
    first_sale_date column, where given): its first sale in the history is not a launch.
    demand_observed: observed and not censored - the days on which sales are the demand. Models
    take their targets from these days only, and accuracy is measured on them.
    """

    store_id: np.ndarray
    product_id: np.ndarray
    category: np.ndarray
    subcategory: np.ndarray
    dates: pd.DatetimeIndex
    units_sold: np.ndarray
    latent_demand: np.ndarray
    observed: np.ndarray
    censored: np.ndarray
    stockout_hours: np.ndarray
    business_stockout_hours: np.ndarray
    covariates: dict[str, np.ndarray]
    sold_before: np.ndarray

    @property
    def n_series(self) -> int:
        return int(self.units_sold.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.units_sold.shape[1])

    @property
    def demand_observed(self) -> np.ndarray:
        return self.observed & ~self.censored

    @property
    def masked_sales(self) -> np.ndarray:
        """Sales on days they equal demand, NaN on censored or unobserved days."""
        return np.where(self.demand_observed, self.units_sold, np.nan)

    @property
    def product_codes(self) -> np.ndarray:
        return pd.factorize(self.product_id)[0]

    @property
    def store_codes(self) -> np.ndarray:
        return pd.factorize(self.store_id)[0]

    def subset(self, rows: np.ndarray) -> DemandPanel:
        """The panel restricted to some series (rows: integer positions or a boolean mask)."""
        return DemandPanel(
            store_id=self.store_id[rows],
            product_id=self.product_id[rows],
            category=self.category[rows],
            subcategory=self.subcategory[rows],
            dates=self.dates,
            units_sold=self.units_sold[rows],
            latent_demand=self.latent_demand[rows],
            observed=self.observed[rows],
            censored=self.censored[rows],
            stockout_hours=self.stockout_hours[rows],
            business_stockout_hours=self.business_stockout_hours[rows],
            covariates={name: values[rows] for name, values in self.covariates.items()},
            sold_before=self.sold_before[rows],
        )


def _as_float(frame: pd.DataFrame, column: str, default: float) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), default, dtype=np.float64)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _series_index(
    frame: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row -> series position (series sorted by store, then product), with the store and product
    id of each series. Factorises the two columns apart: much faster than a MultiIndex."""
    store_codes, stores = pd.factorize(frame["store_id"].astype(str), sort=True)
    product_codes, products = pd.factorize(frame["product_id"].astype(str), sort=True)
    pair = store_codes.astype(np.int64) * len(products) + product_codes
    codes, pairs = pd.factorize(pair, sort=True)
    store_of_series = np.asarray(stores, dtype=object)[pairs // len(products)]
    product_of_series = np.asarray(products, dtype=object)[pairs % len(products)]
    return codes, store_of_series, product_of_series


def store_closed_rows(frame: pd.DataFrame) -> np.ndarray:
    """is_store_closed per row (all False where the frame has no such column): a day the store
    was closed, whose zero sales are not the demand."""
    if "is_store_closed" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame["is_store_closed"].fillna(False).to_numpy(dtype=bool)


def build_panel(history: pd.DataFrame, products: pd.DataFrame | None = None) -> DemandPanel:
    """Pivot the daily sales mart (marts.fct_sales_daily layout) into a DemandPanel.

    Days missing inside a series' span are treated as unobserved (NaN), not as zero sales: the mart
    is already on a complete calendar, so this only matters for hand-made inputs.
    """
    missing = [c for c in REQUIRED_HISTORY_COLUMNS if c not in history.columns]
    if missing:
        raise ValueError(f"history is missing required column(s) {missing}")
    if history.empty:
        raise ValueError("history is empty: nothing to forecast")
    sales_date = pd.to_datetime(history["sales_date"]).to_numpy(dtype="datetime64[D]")
    first_day = sales_date.min()
    day = (sales_date - first_day).astype(np.int64)
    n_days = int(day.max()) + 1
    series, stores, products_of_series = _series_index(history)
    n_series = len(stores)
    flat = series.astype(np.int64) * n_days + day
    # a count per cell (np.unique would sort or hash every row, much slower)
    if np.bincount(flat, minlength=n_series * n_days).max(initial=0) > 1:
        raise ValueError("history has duplicate store_id x product_id x sales_date rows")

    def dense(values: np.ndarray, fill: float = np.nan) -> np.ndarray:
        out = np.full(n_series * n_days, fill, dtype=np.float64)
        out[flat] = values
        return out.reshape(n_series, n_days)

    units = _as_float(history, "units_sold", np.nan)
    observed = dense(np.isfinite(units).astype(np.float64), 0.0) > 0
    latent = _as_float(history, "latent_demand_units", np.nan)
    latent = np.where(np.isfinite(latent), latent, units)
    stockout_hours = _as_float(history, "stockout_hours", 0.0)
    if "is_stockout_censored" in history.columns:
        any_stockout = history["is_stockout_censored"].fillna(False).to_numpy(dtype=bool)
    else:
        any_stockout = np.nan_to_num(stockout_hours) > 0
    hours_6_22 = _as_float(history, "stockout_hours_6_22", np.nan)
    censored_rows = np.where(np.isfinite(hours_6_22), hours_6_22 > 0, any_stockout)
    censored_rows |= store_closed_rows(history)

    covariates: dict[str, np.ndarray] = {}
    for column in COVARIATE_COLUMNS:
        if column in history.columns:
            values = _as_float(history, column, np.nan)
            if np.isfinite(values).any():
                covariates[column] = dense(values)

    category = np.full(n_series, "unknown", dtype=object)
    subcategory = np.full(n_series, "unknown", dtype=object)
    if products is not None and len(products):
        lookup = products.drop_duplicates("product_id").set_index(
            products.drop_duplicates("product_id")["product_id"].astype(str)
        )
        for column, target in (("category", category), ("subcategory", subcategory)):
            if column in lookup.columns:
                mapped = pd.Series(products_of_series).map(lookup[column].astype(str))
                target[:] = mapped.fillna("unknown").to_numpy(dtype=object)

    return DemandPanel(
        store_id=stores,
        product_id=products_of_series,
        category=category,
        subcategory=subcategory,
        dates=pd.date_range(pd.Timestamp(first_day), periods=n_days, freq="D"),
        units_sold=dense(units),
        latent_demand=dense(latent),
        observed=observed,
        censored=dense(censored_rows.astype(np.float64), 0.0) > 0,
        stockout_hours=dense(np.nan_to_num(stockout_hours)),
        business_stockout_hours=dense(
            np.where(np.isfinite(hours_6_22), hours_6_22, np.nan_to_num(stockout_hours))
        ),
        covariates=covariates,
        sold_before=np.bincount(series, _sold_before_rows(history, first_day), n_series) > 0,
    )


def _sold_before_rows(history: pd.DataFrame, first_day: np.datetime64) -> np.ndarray:
    """Per row, its series' first_sale_date (its first sale in all the data, where the history
    has that column) lies before the history's first day."""
    if "first_sale_date" not in history.columns:
        return np.zeros(len(history))
    first_sale = pd.to_datetime(history["first_sale_date"]).to_numpy(dtype="datetime64[D]")
    return (first_sale < first_day).astype(np.float64)  # NaT (never sold) compares False


def future_covariate_arrays(
    panel: DemandPanel, future_covariates: pd.DataFrame | None, horizon: int
) -> dict[str, np.ndarray]:
    """(n_series, horizon) arrays of known covariates for the H days after the last history day.

    Only columns the history also has are kept (a model cannot learn a column it never saw); a
    series or day missing from the frame is NaN, which the gradient-boosting model treats as
    unknown.
    """
    if future_covariates is None or future_covariates.empty:
        return {}
    frame = future_covariates.copy()
    date_column = "forecast_date" if "forecast_date" in frame.columns else "sales_date"
    dates = pd.to_datetime(frame[date_column]).to_numpy(dtype="datetime64[D]")
    last_day = panel.dates[-1].to_datetime64().astype("datetime64[D]")
    step = (dates - last_day).astype(np.int64)
    keys = pd.MultiIndex.from_arrays(
        [frame["store_id"].astype(str), frame["product_id"].astype(str)]
    )
    series_keys = pd.MultiIndex.from_arrays([panel.store_id, panel.product_id])
    row = series_keys.get_indexer(keys)
    keep = (row >= 0) & (step >= 1) & (step <= horizon)
    arrays: dict[str, np.ndarray] = {}
    for column in panel.covariates:
        if column not in frame.columns:
            continue
        values = _as_float(frame, column, np.nan)
        out = np.full((panel.n_series, horizon), np.nan)
        out[row[keep], step[keep] - 1] = values[keep]
        arrays[column] = out
    return arrays


def panel_to_long(
    panel: DemandPanel,
    values: dict[str, np.ndarray],
    first_date: pd.Timestamp,
    date_column: str = "forecast_date",
) -> pd.DataFrame:
    """Long frame (store_id, product_id, date, *values) from (n_series, H) arrays."""
    n, horizon = next(iter(values.values())).shape
    frame = pd.DataFrame(
        {
            "store_id": np.repeat(panel.store_id, horizon).astype(str),
            "product_id": np.repeat(panel.product_id, horizon).astype(str),
            date_column: np.tile(pd.date_range(first_date, periods=horizon, freq="D"), n),
        }
    )
    for name, array in values.items():
        frame[name] = array.reshape(-1)
    return frame


def estimate_latent_demand(history: pd.DataFrame) -> pd.Series:
    """The warehouse's latent demand (int_sales_daily_spined.sql), for inputs built outside dbt.

    Uncensored day (stockout_hours == 0): its sales. Censored day: the larger of its sales and
    the mean sales of the uncensored days among the series' previous 4 same weekdays; with no such
    day, sales scaled by 24 / in-stock hours (capped at 4x). Returned in the row order of
    `history`; needs store_id, product_id, sales_date, units_sold, stockout_hours.
    """
    dates = pd.to_datetime(history["sales_date"])
    units = history["units_sold"].to_numpy(dtype=np.float64)
    hours = history["stockout_hours"].fillna(0).to_numpy(dtype=np.float64)
    censored = hours > 0
    group = pd.MultiIndex.from_arrays(
        [
            history["store_id"].astype(str),
            history["product_id"].astype(str),
            dates.dt.day_of_week,
        ]
    )
    group_code = pd.factorize(group)[0]
    order = np.lexsort((dates.to_numpy(), group_code))
    sorted_group = group_code[order]
    uncensored_sales = np.where(censored, np.nan, units)[order]
    total = np.zeros(len(order))
    count = np.zeros(len(order))
    for lag in range(1, 5):
        shifted = np.full(len(order), np.nan)
        shifted[lag:] = uncensored_sales[:-lag]
        same_group = np.zeros(len(order), dtype=bool)
        same_group[lag:] = sorted_group[lag:] == sorted_group[:-lag]
        usable = same_group & np.isfinite(shifted)
        total += np.where(usable, shifted, 0.0)
        count += usable
    reference = np.full(len(order), np.nan)
    reference[order] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    scaled = units * np.minimum(24.0 / np.maximum(24.0 - hours, 1.0), 4.0)
    estimate = np.maximum(units, np.where(np.isfinite(reference), reference, scaled))
    return pd.Series(np.where(censored, estimate, units), index=history.index, name="latent")


# input-contract names of planned_covariates -> the covariate names of fct_sales_daily
PLANNED_COVARIATE_NAMES: dict[str, str] = {
    "date": "forecast_date",
    "discount": "price_ratio",
    "promo_flag": "is_promo",
    "holiday_flag": "is_holiday",
}


def planned_covariates_frame(planned: pd.DataFrame) -> pd.DataFrame:
    """The planned_covariates input (store_id, product_id, date, discount, promo_flag,
    holiday_flag, weather columns; already-renamed columns are kept) as forecast_demand's
    future_covariates, with the same defaults as the sales mart: no discount = 1, no flag = false."""
    frame = planned.rename(
        columns={k: v for k, v in PLANNED_COVARIATE_NAMES.items() if v not in planned.columns}
    )
    missing = [c for c in ("store_id", "product_id", "forecast_date") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"planned_covariates: missing column(s) {missing}; columns given: {list(planned.columns)}"
        )
    defaults = {"price_ratio": 1.0, "is_promo": False, "is_holiday": False}
    for column, default in defaults.items():
        if column in frame.columns:
            frame[column] = frame[column].fillna(default)
    keep = ["store_id", "product_id", "forecast_date"]
    return frame[keep + [c for c in COVARIATE_COLUMNS if c in frame.columns]]
