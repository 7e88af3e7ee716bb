"""Demand profiles of the demo network: how much of the assortment is a long tail of
intermittent and lumpy series, and which products launch or are discontinued during the history.

`smooth` leaves the generator's negative binomial demand untouched; `mixed` and `intermittent`
replace the demand of tail series by sparse integer sales and add product launches (one of them
two days before the last day, with a big first-day spike) and discontinuations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_assets.inputs.demo.assortment import Assortment, Products


@dataclass(frozen=True)
class DemoProfile:
    name: str
    tail_share: float  # share of store x product series that are intermittent or lumpy
    lumpy_share: float  # share of the tail whose non-zero days sell several units at once
    tail_mean_range: tuple[float, float]  # log-uniform mean units per day of a tail series
    launch_share: float  # share of products launched during the history (plus the late launch)
    discontinued_share: float  # share of products whose sales stop weeks before the end
    # launch-day demand multiplier; it decays over the following days (half-life ~2 days)
    launch_spike: tuple[float, float] = (6.0, 12.0)
    late_launch_spike: float = 25.0
    discontinued_weeks: tuple[int, int] = (3, 10)  # weeks before the end that sales stop

    def __post_init__(self) -> None:
        shares = (self.tail_share, self.lumpy_share, self.launch_share, self.discontinued_share)
        if not all(0.0 <= s <= 1.0 for s in shares):
            raise ValueError(f"profile {self.name}: shares must lie in [0, 1]")

    @property
    def is_smooth(self) -> bool:
        return self.tail_share == 0 and self.launch_share == 0 and self.discontinued_share == 0


DEMO_PROFILES: dict[str, DemoProfile] = {
    "smooth": DemoProfile("smooth", 0.0, 0.0, (0.0, 0.0), 0.0, 0.0),
    "mixed": DemoProfile("mixed", 0.45, 0.4, (0.03, 0.6), 0.04, 0.04),
    "intermittent": DemoProfile("intermittent", 0.85, 0.5, (0.02, 0.5), 0.04, 0.04),
}
# a realistic assortment by default; `smooth` is the demo data from before profiles existed
DEFAULT_PROFILE = "mixed"


@dataclass(frozen=True)
class SeriesPatterns:
    """What a profile does to each series. Day indices count from the first history day."""

    profile: DemoProfile
    n_days: int
    launch_day: np.ndarray  # per product: first day with sales (0 = sold from the start)
    stop_day: np.ndarray  # per product: first day without demand (n_days = never stops)
    spike: np.ndarray  # per product: launch-day demand multiplier (1 = no launch)
    tail: list[np.ndarray]  # per store, per carried item: 0 regular, 1 intermittent, 2 lumpy
    tail_mean: list[np.ndarray]  # per store, per carried item: mean units/day of a tail series

    def active_days(self) -> np.ndarray:
        """(day, product) True where the product is on sale (launched, not discontinued)."""
        day = np.arange(self.n_days)[:, None]
        return (day >= self.launch_day[None, :]) & (day < self.stop_day[None, :])


def build_patterns(
    profile: DemoProfile,
    products: Products,
    assortment: Assortment,
    n_days: int,
    rng: np.random.Generator,
) -> SeriesPatterns:
    """Draw launches, discontinuations and tail series for a profile (from its own stream)."""
    n_products = products.base_rate.size
    launch_day = np.zeros(n_products, dtype=np.int64)
    stop_day = np.full(n_products, n_days, dtype=np.int64)
    spike = np.ones(n_products)
    tail: list[np.ndarray] = []
    tail_mean: list[np.ndarray] = []
    if profile.is_smooth:
        for carried in assortment.products:
            tail.append(np.zeros(carried.size, dtype=np.int64))
            tail_mean.append(np.zeros(carried.size))
        return SeriesPatterns(profile, n_days, launch_day, stop_day, spike, tail, tail_mean)

    # Products carried by most stores make launches and discontinuations visible chain-wide.
    carried_by = np.bincount(np.concatenate(assortment.products), minlength=n_products)
    order = rng.permutation(n_products)
    order = order[np.argsort(-carried_by[order], kind="stable")]
    n_launch = max(1, round(profile.launch_share * n_products))
    n_stop = max(1, round(profile.discontinued_share * n_products))
    late, launched, stopped = order[0], order[1 : 1 + n_launch], order[1 + n_launch :]
    stopped = rng.choice(stopped, size=min(n_stop, stopped.size), replace=False)

    # The late launch enters two days before the last day: three days of history, a big spike.
    launch_day[late] = n_days - 3
    spike[late] = profile.late_launch_spike
    launch_day[launched] = rng.integers(n_days // 4, max(n_days // 4 + 1, n_days - 28), n_launch)
    spike[launched] = rng.uniform(*profile.launch_spike, n_launch)
    lo, hi = profile.discontinued_weeks
    stop_day[stopped] = n_days - 7 * rng.integers(lo, hi + 1, stopped.size)

    # Launched and discontinued products keep their regular demand, so the events stand out.
    event = np.zeros(n_products, dtype=bool)
    event[late] = True
    event[launched] = True
    event[stopped] = True
    log_lo, log_hi = np.log(profile.tail_mean_range)
    for carried in assortment.products:
        is_tail = (rng.random(carried.size) < profile.tail_share) & ~event[carried]
        lumpy = rng.random(carried.size) < profile.lumpy_share
        tail.append(np.where(is_tail, np.where(lumpy, 2, 1), 0))
        tail_mean.append(np.exp(rng.uniform(log_lo, log_hi, carried.size)))
    return SeriesPatterns(profile, n_days, launch_day, stop_day, spike, tail, tail_mean)


def apply_patterns(
    true_demand: np.ndarray,
    rate: np.ndarray,
    items: np.ndarray,
    store: int,
    patterns: SeriesPatterns,
    rng: np.random.Generator,
) -> np.ndarray:
    """One store's (day, item) true demand under the profile: sparse integer tail series,
    launch spikes, nothing before a launch or after a discontinuation."""
    demand = true_demand.copy()
    n_days = demand.shape[0]
    kind = patterns.tail[store]
    tail = np.flatnonzero(kind > 0)
    if tail.size:
        # The day-to-day shape (week, season, promotions) of the regular rate, scaled down.
        shape = rate[:, tail] / rate[:, tail].mean(axis=0)
        lumpy = kind[tail] == 2
        size_mean = np.where(lumpy, 4.0, 1.25)
        chance = np.clip(shape * (patterns.tail_mean[store][tail] / size_mean)[None, :], 0, 1)
        occurs = rng.random(chance.shape) < chance
        # Intermittent: mostly one unit; lumpy: geometric-like sizes, mean 4, often 1 or 10.
        single = 1 + rng.poisson(0.25, chance.shape)
        several = 1 + rng.negative_binomial(1, 0.25, chance.shape)
        size = np.where(lumpy[None, :], several, single)
        demand[:, tail] = np.where(occurs, size, 0)

    day = np.arange(n_days)[:, None]
    since_launch = day - patterns.launch_day[items][None, :]
    launch_lift = 1.0 + (patterns.spike[items][None, :] - 1.0) * np.exp(
        -np.maximum(since_launch, 0) / 3.0
    )
    launched = patterns.launch_day[items] > 0
    if launched.any():
        lifted = rng.poisson(rate[:, launched] * launch_lift[:, launched])
        demand[:, launched] = lifted
    active = (since_launch >= 0) & (day < patterns.stop_day[items][None, :])
    return np.where(active, demand, 0)
