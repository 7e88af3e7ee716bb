"""Demand forecasting: models, intervals and the rolling-origin backtest that chooses among them
(docs/methodology.md, "Demand forecast"). This module is the package's public API."""

from python_assets.forecasting.backtest import backtest_origins
from python_assets.forecasting.forecast import (
    ForecastResult,
    choose_model,
    forecast_demand,
    forecast_panel,
)
from python_assets.forecasting.gbm import GradientBoostingSettings
from python_assets.forecasting.metrics import accuracy_metrics, frn_daily_metrics, frn_day_scores
from python_assets.forecasting.panel import DemandPanel, build_panel, estimate_latent_demand
from python_assets.forecasting.settings import FRN_SEGMENT, ForecastSettings
from python_assets.forecasting.statistical import EtsGrid

__all__ = [
    "FRN_SEGMENT",
    "DemandPanel",
    "EtsGrid",
    "ForecastResult",
    "ForecastSettings",
    "GradientBoostingSettings",
    "accuracy_metrics",
    "backtest_origins",
    "build_panel",
    "choose_model",
    "estimate_latent_demand",
    "forecast_demand",
    "forecast_panel",
    "frn_daily_metrics",
    "frn_day_scores",
]
