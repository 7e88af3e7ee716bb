"""The demo catalogue (subcategories with seasons, prices and format affinities), its
products, and which products each store carries at what base rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.network import ARCHETYPES, Stores, largest_remainder
from python_assets.inputs.demo.parameters import DemoSize

STYLES = ("value", "standard", "premium", "organic")
_STYLE_PRICE = np.array([0.75, 1.0, 1.45, 1.3])
_STYLE_DEMAND = np.array([1.3, 1.0, 0.55, 0.5])
_STYLE_BRANDS = {
    "value": ("ValuPak", "SmartBuy", "Basics"),
    "standard": ("Harvest", "Crestline", "Daily", "Homestead"),
    "premium": ("Artisan", "Reserve", "Finest"),
    "organic": ("GreenLeaf", "PureFarm", "Wildroot"),
}


@dataclass(frozen=True)
class Subcategory:
    category: str
    name: str
    peak_doy: int  # day of year of the seasonal peak
    amplitude: float  # relative yearly swing around the mean
    base_rate: float  # units per day per product in an average supermarket
    base_price: float
    holiday_lift: float
    pack_size: float
    nouns: tuple[str, ...]
    # demand weight by archetype: supermarket, express, hypermarket, discounter
    affinity: tuple[float, float, float, float]


# Ordered so that any prefix mixes categories, seasons and archetype preferences: the tiny size
# uses the first three (summer drinks, winter soups, flat household goods).
# fmt: off
_CATALOGUE: tuple[Subcategory, ...] = (
    Subcategory("Beverages", "Soft Drinks", 195, 0.35, 8.0, 1.99, 1.5, 12, ("Cola", "Lemon Soda", "Ginger Ale", "Orange Soda"), (1.0, 2.4, 1.1, 1.6)),
    Subcategory("Pantry", "Soups", 15, 0.45, 4.0, 2.49, 1.15, 12, ("Tomato Soup", "Chicken Noodle Soup", "Minestrone", "Lentil Soup"), (1.5, 0.35, 1.0, 1.1)),
    Subcategory("Household", "Cleaning", 100, 0.10, 2.5, 4.49, 1.1, 6, ("All-Purpose Cleaner", "Glass Cleaner", "Dish Soap", "Bleach"), (0.8, 0.2, 2.4, 1.2)),
    Subcategory("Dairy", "Ice Cream", 200, 0.60, 3.0, 5.99, 1.3, 6, ("Vanilla Ice Cream", "Chocolate Ice Cream", "Ice Pops", "Gelato"), (1.0, 1.3, 1.1, 0.6)),
    Subcategory("Snacks", "Chips", 190, 0.10, 6.0, 3.49, 1.5, 12, ("Potato Chips", "Tortilla Chips", "Pretzels", "Popcorn"), (0.9, 2.0, 1.0, 1.7)),
    Subcategory("Fresh", "Fruit", 180, 0.20, 10.0, 2.99, 1.15, 1, ("Bananas", "Apples", "Strawberries", "Grapes"), (1.4, 0.5, 0.6, 0.6)),
    Subcategory("Personal Care", "Sunscreen", 180, 0.80, 1.2, 9.99, 1.2, 6, ("Sunscreen SPF30", "Sunscreen SPF50", "After-Sun Lotion"), (0.7, 0.6, 2.2, 0.5)),
    Subcategory("Ready Meals", "Sandwiches", 170, 0.05, 5.0, 4.99, 1.1, 4, ("Club Sandwich", "Veggie Wrap", "BLT", "Chicken Wrap"), (0.8, 2.5, 0.4, 0.3)),
    Subcategory("Dairy", "Milk", 30, 0.05, 12.0, 3.29, 1.15, 6, ("Whole Milk", "Skim Milk", "Oat Milk", "Lactose-Free Milk"), (1.3, 1.0, 0.7, 1.2)),
    Subcategory("Pantry", "Pasta", 20, 0.08, 5.0, 1.79, 1.15, 12, ("Spaghetti", "Penne", "Fusilli", "Lasagne Sheets"), (1.3, 0.4, 1.0, 2.0)),
    Subcategory("Beverages", "Water", 200, 0.40, 9.0, 0.99, 1.4, 24, ("Spring Water", "Sparkling Water", "Flavored Water"), (1.0, 1.8, 1.3, 1.8)),
    Subcategory("Fresh", "Vegetables", 220, 0.05, 10.0, 1.99, 1.2, 1, ("Tomatoes", "Carrots", "Lettuce", "Potatoes"), (1.5, 0.3, 0.6, 0.6)),
    Subcategory("Snacks", "Confectionery", 350, 0.15, 5.0, 2.49, 1.6, 24, ("Chocolate Bar", "Gummy Bears", "Mints", "Caramels"), (0.8, 2.0, 1.0, 1.0)),
    Subcategory("Household", "Paper Goods", 60, 0.05, 3.0, 7.99, 1.1, 6, ("Paper Towels", "Toilet Paper", "Tissues", "Napkins"), (0.8, 0.2, 2.4, 1.8)),
    Subcategory("Beverages", "Hot Drinks", 20, 0.20, 3.0, 6.99, 1.2, 6, ("Ground Coffee", "Black Tea", "Green Tea", "Hot Cocoa"), (1.1, 1.4, 1.2, 0.5)),
    Subcategory("Fresh", "Bakery", 120, 0.05, 9.0, 2.99, 1.3, 1, ("Sourdough Loaf", "Bagels", "Croissants", "Rye Bread"), (1.3, 1.2, 0.5, 0.6)),
    Subcategory("Dairy", "Cheese", 340, 0.12, 4.0, 4.99, 1.3, 6, ("Cheddar", "Mozzarella", "Brie", "Swiss Cheese"), (1.3, 0.5, 0.8, 0.6)),
    Subcategory("Pantry", "Baking", 345, 0.30, 2.0, 3.49, 1.6, 12, ("Flour", "Sugar", "Baking Powder", "Chocolate Chips"), (1.3, 0.2, 1.1, 1.0)),
    Subcategory("Frozen", "Frozen Meals", 25, 0.15, 4.0, 5.49, 1.1, 8, ("Frozen Pizza", "Frozen Lasagne", "Fish Fingers", "Frozen Curry"), (1.0, 0.8, 1.5, 1.9)),
    Subcategory("Household", "Laundry", 90, 0.05, 2.0, 11.99, 1.1, 4, ("Laundry Detergent", "Fabric Softener", "Stain Remover"), (0.7, 0.1, 2.5, 1.8)),
    Subcategory("Dairy", "Yogurt", 170, 0.15, 6.0, 1.29, 1.1, 12, ("Greek Yogurt", "Strawberry Yogurt", "Drinking Yogurt", "Skyr"), (1.3, 0.8, 0.7, 0.7)),
    Subcategory("Pantry", "Canned Goods", 10, 0.10, 3.5, 1.69, 1.15, 12, ("Canned Tomatoes", "Baked Beans", "Tuna", "Sweet Corn"), (1.1, 0.3, 1.3, 2.3)),
    Subcategory("Personal Care", "Oral Care", 90, 0.02, 1.5, 3.99, 1.05, 12, ("Toothpaste", "Toothbrush", "Mouthwash", "Dental Floss"), (0.9, 0.4, 2.0, 1.0)),
    Subcategory("Seasonal", "Grill & BBQ", 185, 0.75, 1.5, 6.99, 1.8, 6, ("Charcoal", "BBQ Sauce", "Grill Skewers", "Lighter Fluid"), (1.0, 0.3, 2.2, 0.9)),
    Subcategory("Beverages", "Juice", 45, 0.10, 4.0, 3.49, 1.2, 8, ("Orange Juice", "Apple Juice", "Cranberry Juice", "Multivitamin Juice"), (1.2, 0.8, 0.9, 0.9)),
)
# fmt: on
_AFFINITY_COLUMN = {"supermarket": 0, "express": 1, "hypermarket": 2, "discounter": 3}


@dataclass(frozen=True)
class Products:
    subcategory: np.ndarray  # index into subcategories
    subcategories: tuple[Subcategory, ...]
    style: np.ndarray  # index into STYLES
    base_rate: np.ndarray
    unit_price: np.ndarray
    unit_cost: np.ndarray
    pack_size: np.ndarray
    name: tuple[str, ...]
    promo_probability: np.ndarray  # chance per week that a product is on promotion in a region
    elasticity: np.ndarray  # promotional uplift = discount ** -elasticity


def build_products(size: DemoSize, rng: np.random.Generator) -> Products:
    n_sub = min(len(_CATALOGUE), max(3, size.n_products // 8))
    if size.n_products < n_sub:
        raise ValueError(f"n_products must be at least {n_sub}")
    subcategories = _CATALOGUE[:n_sub]
    per_sub = largest_remainder(size.n_products, [1.0] * n_sub)
    sub_of = np.repeat(np.arange(n_sub), per_sub)
    position = np.concatenate([np.arange(k) for k in per_sub])
    # Every subcategory mixes styles; standard first so small subcategories keep a mainstream line.
    style_of = np.array([1, 0, 2, 3])[position % 4]

    sub_rate = np.array([s.base_rate for s in subcategories])[sub_of]
    base_rate = sub_rate * _STYLE_DEMAND[style_of] * rng.lognormal(0.0, 0.45, size.n_products)
    raw_price = np.array([s.base_price for s in subcategories])[sub_of] * _STYLE_PRICE[style_of]
    raw_price = raw_price * rng.lognormal(0.0, 0.12, size.n_products)
    unit_price = np.round(np.floor(raw_price * 10.0) / 10.0 + 0.09, 2)  # shelf prices end in .x9
    unit_cost = np.round(unit_price * rng.uniform(0.55, 0.75, size.n_products), 2)
    pack_size = np.array([s.pack_size for s in subcategories], dtype=float)[sub_of]

    names: list[str] = []
    for p in range(size.n_products):
        sub = subcategories[sub_of[p]]
        style = STYLES[style_of[p]]
        brands = _STYLE_BRANDS[style]
        noun = sub.nouns[position[p] % len(sub.nouns)]
        names.append(f"{brands[(position[p] // 4) % len(brands)]} {noun}")
    return Products(
        subcategory=sub_of,
        subcategories=subcategories,
        style=style_of,
        base_rate=base_rate,
        unit_price=unit_price,
        unit_cost=unit_cost,
        pack_size=pack_size,
        name=tuple(names),
        promo_probability=rng.uniform(0.04, 0.12, size.n_products),
        elasticity=rng.uniform(1.6, 2.8, n_sub)[sub_of],
    )


@dataclass(frozen=True)
class Assortment:
    products: list[np.ndarray]  # per store: sorted product indices carried
    base_rate: list[np.ndarray]  # per store: mean units/day before calendar effects
    stockout_rate: list[np.ndarray]  # per store: probability of a stockout day per product


def build_assortment(stores: Stores, products: Products, rng: np.random.Generator) -> Assortment:
    n_sub = len(products.subcategories)
    affinity = np.array([s.affinity for s in products.subcategories])  # (sub, 4)
    carried: list[np.ndarray] = []
    rates: list[np.ndarray] = []
    stockout: list[np.ndarray] = []
    for s in range(stores.archetype.size):
        arch = ARCHETYPES[stores.archetype_names[stores.archetype[s]]]
        draw = rng.random(products.base_rate.size)
        keep = draw < arch.assortment_share
        # At least two lines per subcategory, so every store has a subcategory mix and a cover.
        for k in range(n_sub):
            members = np.flatnonzero(products.subcategory == k)
            keep[members[np.argsort(draw[members], kind="stable")[:2]]] = True
        idx = np.flatnonzero(keep)
        mix = affinity[:, _AFFINITY_COLUMN[arch.format]] * rng.lognormal(0.0, 0.10, n_sub)
        rate = (
            products.base_rate[idx]
            * stores.volume[s]
            * mix[products.subcategory[idx]]
            * np.asarray(arch.style_affinity)[products.style[idx]]
            * rng.lognormal(0.0, 0.25, idx.size)
        )
        carried.append(idx)
        rates.append(rate)
        stockout.append(np.clip(arch.stockout_rate * rng.lognormal(0.0, 0.5, idx.size), 0.002, 0.2))
    return Assortment(products=carried, base_rate=rates, stockout_rate=stockout)


def product_columns(products: Products, product_ids: pa.Array) -> dict[str, pa.Array | np.ndarray]:
    """The products table: one row per product."""
    return {
        "product_id": product_ids,
        "category": pa.array([products.subcategories[k].category for k in products.subcategory]),
        "subcategory": pa.array([products.subcategories[k].name for k in products.subcategory]),
        "product_name": pa.array(products.name),
        "style": pa.array([STYLES[k] for k in products.style]),
        "unit_cost": products.unit_cost,
        "unit_price": products.unit_price,
        "pack_size": products.pack_size,
    }
