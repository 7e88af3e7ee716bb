"""Dagster code location of the warehouse: dbt models and Python assets in one graph.

`defs` is built from the environment's run settings when first used (`dagster dev -m
dagster_defs` finds it like a plain attribute), so `python -m dagster_defs` can report a bad
setting in one line instead of failing while this package is imported.
"""

from typing import Any

__all__ = ["defs"]


def __getattr__(name: str) -> Any:
    if name == "defs":
        from dagster_defs.definitions import env_definitions

        return env_definitions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "defs"])
