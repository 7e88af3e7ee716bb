"""The forecast models behind one name each: which names exist and how each is run at an origin
(docs/methodology.md, "Demand forecast"; README, "how to add a model")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from python_assets.forecasting.gbm import (
    FeatureCache,
    GradientBoostingModel,
    fit_gradient_boosting,
    gradient_boosting_forecast,
    mean_calibrated,
)
from python_assets.forecasting.intermittent import sba_forecast, tsb_forecast
from python_assets.forecasting.launches import LaunchCurves
from python_assets.forecasting.panel import DemandPanel
from python_assets.forecasting.statistical import (
    ets_forecasts,
    moving_average_forecast,
    seasonal_naive_forecast,
    shrunk_mean_forecast,
    statsmodels_ets_forecast,
)

if TYPE_CHECKING:
    from python_assets.forecasting.settings import ForecastSettings


def launch_curves(
    panel: DemandPanel, settings: ForecastSettings, rows: np.ndarray | None = None
) -> LaunchCurves:
    """The launch curves of `panel` under `settings`, for its series `rows` (None: all)."""
    return LaunchCurves(
        panel,
        settings.horizon,
        settings.demand_classes.new_days,
        settings.launch_curve_min_launches,
        rows,
    )


STORE_CLOSED = "store_closed"


@dataclass
class ClosedStores:
    """Stores none of whose series sold on the `days` days up to an origin, having sold before
    them, and on so many of the 28 days before them that a silence that long would come by
    chance less often than `chance`: closed (for good, or for longer than the data shows), so
    every series of theirs is forecast zero (docs/methodology.md 6.9). Judged on every series of
    `panel`: build it on the whole panel, also for a product partition's runner."""

    panel: DemandPanel
    days: int
    chance: float = 0.01
    _at: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def stores_at(self, origin: int) -> np.ndarray:
        """The closed stores' ids at `origin`."""
        if origin not in self._at:
            start = origin - self.days + 1
            if start <= 0:
                self._at[origin] = self.panel.store_id[:0]
            else:
                sold = np.nan_to_num(self.panel.units_sold[:, : origin + 1]) > 0
                stores = self.panel.store_id
                recent = pd.Series(sold[:, start:].any(axis=1)).groupby(stores).any()
                # the share of the 28 days before on which the store sold: silence as long by
                # chance (a store of a few slow movers) has a chance of (1 - share)^days, 1 for a
                # store that had not sold before
                store_days = pd.DataFrame(sold[:, max(0, start - 28) : start]).groupby(stores)
                share = store_days.any().mean(axis=1)
                closed = ~recent & ((1.0 - share) ** self.days < self.chance)
                self._at[origin] = closed.index[closed.to_numpy()].to_numpy()
        return self._at[origin]

    def series(self, store_id: np.ndarray, origin: int) -> np.ndarray:
        """Per series of stores `store_id`: True where its store is closed at `origin`."""
        return np.isin(store_id, self.stores_at(origin))


def moving_average_window(name: str) -> int | None:
    """The window in days of a moving_average_<days> model (None for any other name)."""
    match = re.fullmatch(r"moving_average_(\d+)", name)
    return int(match.group(1)) if match else None


def is_naive_baseline(name: str) -> bool:
    """zero, seasonal_naive and the moving averages (any `_sales` variant): references, kept
    as they are."""
    base = name.removesuffix("_sales")
    return base in ("zero", "seasonal_naive") or moving_average_window(base) is not None


# the global model and its mean-calibrated forecast (gbm.MeanCalibration): one fit serves both
GRADIENT_BOOSTING_MODELS = ("gradient_boosting", "gradient_boosting_mean")


def is_known_model(name: str) -> bool:
    """Whether `name` is a model ModelRunner can run."""
    base = name.removesuffix("_sales")
    statistical = base in ("zero", "seasonal_naive", "shrunk_mean", "sba", "tsb", "ets")
    return (
        statistical or moving_average_window(base) is not None or name in GRADIENT_BOOSTING_MODELS
    )


def model_signal(panel: DemandPanel, kind: str) -> np.ndarray:
    observed_sales = np.where(panel.observed, panel.units_sold, np.nan)
    if kind == "demand_observed":
        return panel.masked_sales
    if kind == "latent_demand":
        return np.where(panel.observed, panel.latent_demand, np.nan)
    return observed_sales


@dataclass
class ModelRunner:
    """Runs each model at an origin; holds what is shared between origins (signals, the GBM's
    feature cache)."""

    panel: DemandPanel
    settings: ForecastSettings
    future_names: tuple[str, ...]
    origins: tuple[int, ...] = ()
    cache: FeatureCache = field(default_factory=FeatureCache)
    ets_cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    fitted_share: dict[str, list[float]] = field(default_factory=dict)
    launches: LaunchCurves | None = None
    closed: ClosedStores | None = None

    def __post_init__(self) -> None:
        self.signal = model_signal(self.panel, self.settings.statistical_signal)
        self.raw_sales = model_signal(self.panel, "units_sold")
        self.fallback = np.where(self.panel.observed, self.panel.latent_demand, np.nan)
        if self.launches is None:
            self.launches = launch_curves(self.panel, self.settings)
        if self.closed is None:
            self.closed = ClosedStores(self.panel, self.settings.demand_classes.closed_store_days)

    def run(self, model: str, origin: int, future: dict[str, np.ndarray] | None) -> np.ndarray:
        """The model's forecast at `origin`; from every model but the naive baselines, launches
        of the class `new` take the launch curve's forecast (docs/methodology.md 6.8) and the
        series of closed stores zero (6.9)."""
        if model in GRADIENT_BOOSTING_MODELS:
            gbm = self.fit_gradient_boosting(origin)
            return self.gradient_boosting(gbm, origin, future, models=(model,))[model]
        forecast = self._run(model, origin, future)
        if is_naive_baseline(model):
            return forecast
        return self._adjusted(forecast, origin)

    def _adjusted(self, forecast: np.ndarray, origin: int) -> np.ndarray:
        forecast = self.launches.apply(forecast, origin)
        closed = self.closed.series(self.panel.store_id, origin)
        if not closed.any():
            return forecast
        return np.where(closed[:, None], 0.0, forecast)

    def _run(self, model: str, origin: int, future: dict[str, np.ndarray] | None) -> np.ndarray:
        horizon = self.settings.horizon
        signal = self.signal
        base = model
        if model.endswith("_sales"):
            signal, base = self.raw_sales, model.removesuffix("_sales")
        if base == "zero":  # a candidate, so that the choice must beat it (inactive series)
            return np.zeros((self.panel.n_series, horizon))
        if base == "sba":
            return sba_forecast(
                signal, self.fallback, origin, horizon, self.settings.intermittent.sba_alpha
            )
        if base == "tsb":
            return tsb_forecast(
                signal,
                self.fallback,
                origin,
                horizon,
                self.settings.intermittent.tsb_alpha_size,
                self.settings.intermittent.tsb_alpha_probability,
            )
        if base == "seasonal_naive":
            return seasonal_naive_forecast(signal, self.fallback, origin, horizon)
        if base == "shrunk_mean":
            return shrunk_mean_forecast(
                signal,
                self.fallback,
                self.panel.product_id,
                origin,
                horizon,
                launches=self.launches.young(origin),
            )
        if (window := moving_average_window(base)) is not None:
            return moving_average_forecast(signal, self.fallback, origin, horizon, window)
        if base == "ets":
            if self.settings.ets_engine == "statsmodels":
                forecast, fitted = statsmodels_ets_forecast(
                    signal, self.fallback, origin, horizon, self.settings.ets_min_observations
                )
            else:
                key = (model, origin)
                if key not in self.ets_cache:
                    # every origin of the run in one pass (each sees only days up to itself)
                    origins = sorted({*self.origins, origin})
                    results = ets_forecasts(
                        signal,
                        self.fallback,
                        origins,
                        horizon,
                        self.settings.ets_grid,
                        self.settings.ets_min_observations,
                    )
                    self.ets_cache.update({(model, o): r for o, r in results.items()})
                forecast, fitted = self.ets_cache[key]
            self.fitted_share.setdefault(model, []).append(float(fitted.mean()))
            return forecast
        raise ValueError(f"unknown model {model!r}")

    def fit_gradient_boosting(self, origin: int) -> GradientBoostingModel | None:
        """The global model fitted at `origin` (None with too little data to learn from)."""
        return fit_gradient_boosting(
            self.panel,
            origin,
            self.settings.horizon,
            self.settings.gradient_boosting,
            self.cache,
            future_names=self.future_names,
        )

    def gradient_boosting(
        self,
        gbm: GradientBoostingModel | None,
        origin: int,
        future: dict[str, np.ndarray] | None,
        whole: DemandPanel | None = None,
        rows: np.ndarray | None = None,
        models: tuple[str, ...] = ("gradient_boosting",),
    ) -> dict[str, np.ndarray]:
        """The fitted global model's forecasts at `origin` for the GRADIENT_BOOSTING_MODELS
        `models`, from one prediction: gradient_boosting's and, for gradient_boosting_mean, the
        same mean-calibrated (gbm.mean_calibrated); the moving average where there is no model.
        whole, rows: this runner's panel is the series `rows` of the panel `whole` (a product
        partition), whose every series the pooled features read; future is whole's."""
        panel = self.panel if whole is None else whole
        # one cache of the whole panel's arrays for the prediction and the mean calibration
        cache = self.cache if whole is None else FeatureCache()
        prediction = gradient_boosting_forecast(
            gbm,
            panel,
            origin,
            self.settings.horizon,
            future,
            self.settings.gradient_boosting.n_threads,
            cache,
            rows=rows,
        )
        self.fitted_share.setdefault("gradient_boosting", []).append(
            0.0 if prediction is None else 1.0
        )
        if prediction is None or gbm is None:  # too little data: the moving average stands in
            fallback = moving_average_forecast(
                self.signal, self.fallback, origin, self.settings.horizon
            )
            forecasts = dict.fromkeys(models, fallback)
        else:
            forecasts = {
                model: (
                    mean_calibrated(gbm, prediction, panel, origin, cache, rows)
                    if model == "gradient_boosting_mean"
                    else prediction
                )
                for model in models
            }
        return {model: self._adjusted(f, origin) for model, f in forecasts.items()}
