"""Every setting of the demand forecast, reached from ForecastSettings (docs/methodology.md,
"Demand forecast"); the models' own settings keep their defaults beside the model."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_assets.forecasting.gbm import GradientBoostingSettings
from python_assets.forecasting.intermittent import IntermittentSettings
from python_assets.forecasting.models import is_known_model
from python_assets.forecasting.statistical import EtsGrid

STATISTICAL_SIGNALS = ("demand_observed", "latent_demand", "units_sold")
INTERVAL_METHODS = ("auto", "negative_binomial", "residual")
VOLUME_BAND_NAMES = ("low", "medium", "high", "very_high", "top")
FRN_SEGMENT = "frn_benchmark"
FRN_SEGMENT_VALUE = "no_stockout_6_22"
# series selling at least SELLING_RATE_CUTOFF units a day (their recent level) or fewer
SELLING_RATE_SEGMENT = "selling_rate"
SELLING_RATE_CUTOFF = 1.0


@dataclass(frozen=True)
class DemandClassSettings:
    """How series are classed (python_assets/forecasting/classes.py).

    window_days: days before the origin over which ADI and CV^2 are measured.
    adi_cutoff, cv2_cutoff: Syntetos-Boylan cut-offs (ADI < 1.32: frequent; CV^2 < 0.49: steady).
    new_days: a launch's first sale fewer than this many days before the origin makes a series
    `new` (what a launch is: launches.visible_launches).
    inactive_days: no sale in this many days before the origin makes a series `inactive`.
    closed_store_days: a store none of whose series sold on this many days up to the origin,
    having sold before them, is closed (closed for good, or for longer than the data shows):
    every series of it is forecast zero (models.ClosedStores).
    """

    window_days: int = 91
    adi_cutoff: float = 1.32
    cv2_cutoff: float = 0.49
    new_days: int = 28
    inactive_days: int = 28
    closed_store_days: int = 7

    def __post_init__(self) -> None:
        days = (self.window_days, self.new_days, self.inactive_days, self.closed_store_days)
        if min(days) < 1:
            raise ValueError(
                "window_days, new_days, inactive_days and closed_store_days must be >= 1"
            )


@dataclass(frozen=True)
class SelectionSettings:
    """How the model is chosen per demand class (python_assets/forecasting/selection.py).

    bias_bound: a candidate is eligible in a class only if |WPE| of its H-day totals there is at
        most this (0.10 = 10%).
    score_tolerance: WAPE of the totals closer than this to the best counts as a tie, which the
        simpler model wins.
    max_zero_share: a candidate is eligible in a class only if it forecasts a zero H-day total
        for at most this share of the series that sold in the guardrails' recent_days before
        the origin and went on selling in the window (a seasonal naive forecast of lumpy series
        often misses them: their last week was empty).
    """

    bias_bound: float = 0.10
    score_tolerance: float = 0.005
    max_zero_share: float = 0.01


@dataclass(frozen=True)
class GuardrailSettings:
    """The forecast's guardrails (python_assets/forecasting/guardrails.py), checked on every run.

    min_class_share: the bias guardrail checks classes with at least this share of the
        backtest's units (its bound is SelectionSettings.bias_bound).
    max_zero_share: at most this share of the series that sold in the last recent_days days may
        be forecast zero over the whole horizon.
    Whether a failed guardrail stops the plan or only warns is a business setting,
    forecast_guardrail_severity (seeds/rule_settings.csv), so a run can override it.
    """

    min_class_share: float = 0.05
    max_zero_share: float = 0.01
    recent_days: int = 28


@dataclass(frozen=True)
class ForecastSettings:
    """Every knob of the forecast, with its default.

    horizon: days forecast after each origin (H).
    backtest_windows: rolling origins scored, each H days, the last ending on the last day.
    calibration_windows: extra rolling windows before the scored ones; their errors calibrate the
        first scored window's intervals (later windows also use the scored windows before them).
    interval_levels: central prediction intervals; columns lower_80/upper_80 etc.
    models: any of zero, seasonal_naive, moving_average_<days>, shrunk_mean, sba, tsb, ets,
        gradient_boosting, gradient_boosting_mean (the same fit, mean-calibrated); a
        `_sales` suffix on a baseline (moving_average_7_sales) runs it on raw sales, not
        stockout-aware, as a reference.
    statistical_signal: what seasonal naive, moving average and ETS average over:
        'demand_observed' (sales on uncensored days, censored days skipped), 'latent_demand'
        (the warehouse's estimate on censored days) or 'units_sold' (raw, censoring ignored).
    min_history_days: a backtest origin needs this many days of history before it (the
        gradient-boosting model's own training origins have their own, shorter minimum).
    volume_band_quantiles: cut points (quantiles of the series' recent level) of the volume bands
        reported in the backtest.
    interval_method: 'negative_binomial' (count distribution around the point forecast, dispersion
        per demand class), 'residual' (empirical quantiles of scaled errors) or 'auto' (the first
        when every unit sold is a whole number, else the second); see intervals.py.
    interval_bins: volume bins (quantiles of the recent level) inside which the residual
        intervals' errors are calibrated, per demand class and horizon step;
        interval_min_residuals: fewer errors than this in a cell -> a coarser cell (see
        ResidualIntervals.intervals), and the count intervals' classes pool.
    ets_engine: 'vectorised' (numpy grid, all series at once) or 'statsmodels' (one fit per
        series; fine for a few hundred series, hours for 50,000).
    forecast_all_models: also forecast the days after the history with every model, not only the
        chosen one.
    backtest_prediction_series: keep backtest_predictions (every model's daily forecast at every
        scored origin, for tests and benchmarks) for at most this many series (the first ones in
        store, product order); None keeps all, 0 (the default: the pipeline stores none of them)
        builds none.
    demand_classes, intermittent, selection, guardrails: see DemandClassSettings,
        IntermittentSettings (SBA and TSB smoothing), SelectionSettings (the bias bound of the
        model choice) and GuardrailSettings.
    coverage_check_bounds: (level, low, high) per interval level: the backtest coverage of the chosen
        model that the interval_coverage_calibrated asset check accepts, of H-day totals (low
        to high) and of days (at least low).
    launch_curve_min_launches: past launches a launch-curve ratio needs (per age and step);
        launches of the class `new` get that forecast from every model but the naive baselines
        (zero, seasonal naive, moving averages); None: no launch curve (launches.py).
    """

    horizon: int = 7
    backtest_windows: int = 4
    interval_levels: tuple[float, ...] = (0.8, 0.95)
    models: tuple[str, ...] = (
        "zero",
        "seasonal_naive",
        "moving_average_7",
        "moving_average_28",
        "shrunk_mean",
        "sba",
        "tsb",
        "ets",
        "gradient_boosting",
        "gradient_boosting_mean",
    )
    calibration_windows: int = 1
    statistical_signal: str = "demand_observed"
    min_history_days: int = 28
    volume_band_quantiles: tuple[float, ...] = (0.5, 0.8)
    interval_method: str = "auto"
    interval_bins: int = 5
    interval_min_residuals: int = 30
    ets_engine: str = "vectorised"
    ets_grid: EtsGrid = field(default_factory=EtsGrid)
    ets_min_observations: int = 21
    gradient_boosting: GradientBoostingSettings = field(default_factory=GradientBoostingSettings)
    forecast_all_models: bool = False
    backtest_prediction_series: int | None = 0
    demand_classes: DemandClassSettings = field(default_factory=DemandClassSettings)
    intermittent: IntermittentSettings = field(default_factory=IntermittentSettings)
    selection: SelectionSettings = field(default_factory=SelectionSettings)
    guardrails: GuardrailSettings = field(default_factory=GuardrailSettings)
    # whole-unit bounds cover more than their level on small totals too: room above
    coverage_check_bounds: tuple[tuple[float, float, float], ...] = (
        (0.8, 0.70, 0.95),
        (0.95, 0.88, 0.995),
    )
    launch_curve_min_launches: int | None = 10

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {self.horizon}")
        if self.backtest_windows < 0 or self.calibration_windows < 0:
            raise ValueError("backtest_windows and calibration_windows must be >= 0")
        if not self.models:
            raise ValueError("models must name at least one model")
        if self.launch_curve_min_launches is not None and self.launch_curve_min_launches < 1:
            raise ValueError(
                f"launch_curve_min_launches must be >= 1 or None, got {self.launch_curve_min_launches}"
            )
        for name in self.models:
            if not is_known_model(name):
                raise ValueError(f"unknown model {name!r}")
        if self.statistical_signal not in STATISTICAL_SIGNALS:
            raise ValueError(f"statistical_signal must be one of {STATISTICAL_SIGNALS}")
        if self.interval_method not in INTERVAL_METHODS:
            raise ValueError(f"interval_method must be one of {INTERVAL_METHODS}")
        if self.ets_engine not in ("vectorised", "statsmodels"):
            raise ValueError("ets_engine must be 'vectorised' or 'statsmodels'")
        for level in self.interval_levels:
            if not 0 < level < 1:
                raise ValueError(f"interval levels must be in (0, 1), got {level}")
