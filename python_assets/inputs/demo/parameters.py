"""Sizes of the demo network: how many regions, stores, products, days and customers."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class DemoSize:
    n_regions: int
    n_stores: int
    n_products: int
    n_days: int
    n_customers: int

    def setting(self) -> str:
        """This size as marts.dataset_assumptions records it ('n_regions=5, n_stores=48, ...')."""
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


DEMO_SIZES: dict[str, DemoSize] = {
    "tiny": DemoSize(n_regions=3, n_stores=12, n_products=12, n_days=400, n_customers=200),
    "default": DemoSize(n_regions=5, n_stores=48, n_products=120, n_days=430, n_customers=3000),
    "large": DemoSize(n_regions=8, n_stores=200, n_products=400, n_days=430, n_customers=20000),
}
