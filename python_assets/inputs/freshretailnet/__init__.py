"""FreshRetailNet-50K mapped onto the input contract: `adapt_freshretailnet` writes the input
files from the published layout, `write_synthetic_freshretailnet` writes files in that layout."""

from python_assets.inputs.freshretailnet.adapter import (
    DATASET,
    OUTPUT_TABLES,
    adapt_freshretailnet,
)
from python_assets.inputs.freshretailnet.assumptions import CREDIT, FreshRetailNetAssumptions
from python_assets.inputs.freshretailnet.layout import PUBLISHED_SCHEMA
from python_assets.inputs.freshretailnet.network import city_centres, region_of_latitude
from python_assets.inputs.freshretailnet.synthetic import write_synthetic_freshretailnet

__all__ = [
    "CREDIT",
    "DATASET",
    "OUTPUT_TABLES",
    "PUBLISHED_SCHEMA",
    "FreshRetailNetAssumptions",
    "adapt_freshretailnet",
    "city_centres",
    "region_of_latitude",
    "write_synthetic_freshretailnet",
]
