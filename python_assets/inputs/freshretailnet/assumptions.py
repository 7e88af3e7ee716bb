"""What the FreshRetailNet adapter assumes where the data is silent, and how it says so in
dataset_assumptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

CREDIT = "FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0)"


@dataclass(frozen=True)
class FreshRetailNetAssumptions:
    """Every value the adapter derives rather than reads; all go into dataset_assumptions."""

    seed: int = 7
    # The publisher is a fresh-food retailer in eastern China. The box (roughly Hunan, Jiangxi,
    # Hubei, Anhui, Henan) stays inland of the coast, so no invented store lands in the sea.
    latitude_range: tuple[float, float] = (24.5, 36.0)
    longitude_range: tuple[float, float] = (110.0, 117.5)
    # Stores are spread uniformly over a disc of this radius around their city centre.
    store_jitter_km: float = 15.0
    # Cities are grouped into equal-width latitude bands of the box, region_1 the northernmost,
    # so a city's region never depends on which other cities are present.
    n_regions: int = 4
    # on_hand = mean daily sales over the last demand_window_days
    #           x a cover in days per store x product x a factor per store
    demand_window_days: int = 14
    cover_median_days: float = 3.0  # perishable food: a few days of stock
    cover_sigma: float = 0.4  # lognormal sigma of the per store x product cover
    store_factor_sigma: float = 0.5  # lognormal sigma (median 1) of the per-store factor
    # The published training split runs to 2024-06-25; its last 7 days are the forecast test
    # window here, so rows from this date on are dropped even if the source contains them.
    withhold_from: date | None = date(2024, 6, 19)

    def __post_init__(self) -> None:
        lat_lo, lat_hi = self.latitude_range
        lon_lo, lon_hi = self.longitude_range
        if not (-90 <= lat_lo < lat_hi <= 90 and -180 <= lon_lo < lon_hi <= 180):
            raise ValueError("latitude_range/longitude_range must be (low, high) inside the globe")
        if self.store_jitter_km < 0 or self.n_regions < 1 or self.demand_window_days < 1:
            raise ValueError(
                "store_jitter_km >= 0, n_regions >= 1, demand_window_days >= 1 required"
            )
        if self.cover_median_days <= 0 or self.cover_sigma < 0 or self.store_factor_sigma < 0:
            raise ValueError("cover_median_days > 0 and non-negative sigmas required")


def assumption_rows(
    a: FreshRetailNetAssumptions,
    city_ids: Sequence[int] | None,
    snapshot_dates: Sequence[date],
    planned: tuple[int, date, date] | None = None,
) -> list[tuple[str, str, str | None]]:
    """dataset_assumptions rows; snapshot_dates oldest first, the last one the plan's stock;
    planned = (rows, first day, last day) of planned_covariates."""
    snapshot, history = snapshot_dates[-1], snapshot_dates[:-1]
    lat_lo, lat_hi = a.latitude_range
    lon_lo, lon_hi = a.longitude_range
    withheld = a.withhold_from.isoformat() if a.withhold_from else None
    return [
        (
            "credit",
            f"Sales, stock-outs, promotions and weather are {CREDIT}: real data of a fresh-food "
            "retailer, 50,000 store x product series. Credit it wherever results are shown.",
            "CC-BY-4.0",
        ),
        (
            "units",
            "units_sold is the published sale_amount, which the publisher normalised: it is not "
            "a count of items and is kept fractional.",
            None,
        ),
        (
            "costs",
            "There are no costs in the data: no unit_cost, unit_price or revenue is produced.",
            None,
        ),
        (
            "customers",
            "The data has no customer ids, so no customer_orders table is produced.",
            None,
        ),
        (
            "storage_capacity",
            "The data has no store capacity; storage_capacity_units is left out.",
            None,
        ),
        (
            "coordinates",
            "The data names only anonymous cities. Each city centre is placed deterministically "
            "(from the seed and city id) uniformly in a box over eastern China, and each store "
            "uniformly within a disc around its city centre. Not real locations.",
            f"lat {lat_lo}..{lat_hi}, lon {lon_lo}..{lon_hi}, store radius {a.store_jitter_km} km",
        ),
        (
            "regions",
            "Cities are grouped into regions by location: equal-width latitude bands of the "
            "box, region_1 the northernmost. Regions are not in the data.",
            str(a.n_regions),
        ),
        (
            "inventory",
            "The data has no stock on hand. on_hand_units is simulated: mean daily sales over "
            "the last window days x a cover in days per store x product (lognormal) x a "
            "per-store factor (lognormal, median 1), so stock is deliberately unbalanced between "
            "stores of a city. "
            "Sales are censored by stock-outs, so recent sales understate demand.",
            f"window {a.demand_window_days} d, cover median {a.cover_median_days} d "
            f"sigma {a.cover_sigma}, store factor sigma {a.store_factor_sigma}",
        ),
        (
            "snapshot_date",
            "The inventory snapshot is taken on the last day in the adapted data.",
            snapshot.isoformat(),
        ),
        (
            "inventory_history",
            "Weekly history snapshots before the last day are simulated by the same rule "
            "(the window ends on the snapshot day; the same cover and store factor), so the "
            "stock of a past date uses no later sales.",
            ",".join(d.isoformat() for d in history) or None,
        ),
        (
            "holdout",
            "The last 7 days of the training split (2024-06-19..25) are withheld: forecasts are "
            "judged on those unseen days. "
            + (
                "Source rows from this date on are dropped."
                if withheld
                else "This run kept every source row (withhold_from=None)."
            ),
            withheld,
        ),
        (
            "stockouts",
            "stockout_hours counts the hours flagged out of stock (hours_stock_status = 1); "
            "stockout_hours_6_22 is the published stock_hour6_22_cnt.",
            None,
        ),
        (
            "promotions",
            "promo_flag is activity_flag = 1; discount is the published price ratio "
            "(1.0 = full price); holiday_flag is holiday_flag = 1.",
            None,
        ),
        (
            "products",
            "category, subcategory and style are first, second and third_category_id; "
            "management_group_id is not used. Product and store names are made up from ids.",
            None,
        ),
        (
            "cities",
            "Cities the adapter was restricted to.",
            "all" if city_ids is None else ",".join(str(c) for c in sorted(set(city_ids))),
        ),
        (
            "planned_covariates",
            "Planned covariates (discount, promotions, holidays, weather of the days after the "
            "history) come from a second file in the published layout (FRN_FUTURE_PATH); its "
            "sales columns are ignored. Its weather is the observed weather, not a forecast."
            if planned
            else "No file of the days after the history was given (FRN_FUTURE_PATH): no "
            "planned_covariates.",
            f"{planned[1].isoformat()}..{planned[2].isoformat()}, {planned[0]} rows"
            if planned
            else None,
        ),
        (
            "seed",
            "Seed of every simulated draw; draws are keyed by ids, so they do not change when "
            "other cities are included or left out.",
            str(a.seed),
        ),
    ]
