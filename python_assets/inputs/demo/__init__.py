"""Deterministic generator of the demo retail network: `generate_demo_data` writes every input
table of the contract for a `DemoSize` and a seed."""

from python_assets.inputs.demo.dates import us_retail_holidays
from python_assets.inputs.demo.generator import generate_demo_data
from python_assets.inputs.demo.parameters import DEMO_SIZES, DemoSize

__all__ = ["DEMO_SIZES", "DemoSize", "generate_demo_data", "us_retail_holidays"]
