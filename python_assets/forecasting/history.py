"""The rows a run adds to forecasting.forecast_history: its chosen forecast, each series with the
demand class it had at the origin, keyed by run and origin (docs/methodology.md, "Monitoring the
forecast")."""

from __future__ import annotations

import pandas as pd

from python_assets.run_history import stamp_run


def forecast_history_rows(
    forecast: pd.DataFrame, classes: pd.DataFrame, run_id: str, recorded_at: pd.Timestamp
) -> pd.DataFrame:
    """Every row of the chosen forecast (is_chosen, when the column is there) with its series'
    demand_class, stamped with run_id, origin_date (the forecast's own) and recorded_at."""
    chosen = forecast[forecast["is_chosen"].astype(bool)] if "is_chosen" in forecast else forecast
    origins = pd.to_datetime(chosen["origin_date"]).unique()
    if len(origins) > 1:
        raise ValueError(
            f"forecasting.demand_forecast: {len(origins)} origin dates in one forecast "
            f"(e.g. {list(origins[:2])}); a run forecasts from one origin"
        )
    if len(origins) == 0:
        raise ValueError("forecasting.demand_forecast: no rows of the chosen forecast to record")
    rows = chosen.drop(columns=["origin_date", "is_chosen"], errors="ignore").merge(
        classes[["store_id", "product_id", "demand_class"]],
        on=["store_id", "product_id"],
        how="left",
    )
    return stamp_run(rows, run_id, pd.Timestamp(origins[0]), recorded_at)
