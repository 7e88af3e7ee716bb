"""Dagster code location of the warehouse: dbt models and Python assets in one graph."""

from dagster_defs.definitions import defs

__all__ = ["defs"]
