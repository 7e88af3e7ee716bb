"""Deterministic generator of the demo retail network: `generate_demo_data` writes every input
table of the contract for a `DemoSize`, a demand profile and a seed."""

from python_assets.inputs.demo.dates import us_retail_holidays
from python_assets.inputs.demo.generator import generate_demo_data
from python_assets.inputs.demo.parameters import DEMO_SIZES, DemoSize
from python_assets.inputs.demo.profiles import DEFAULT_PROFILE, DEMO_PROFILES, DemoProfile

__all__ = [
    "DEFAULT_PROFILE",
    "DEMO_PROFILES",
    "DEMO_SIZES",
    "DemoProfile",
    "DemoSize",
    "generate_demo_data",
    "us_retail_holidays",
]
