"""A dbt-duckdb plugin (dbt_project/profiles.yml): when the Parquet hand-off is a URL
(HANDOFF_DIR=s3://...), dbt's DuckDB connection reads it through the fsspec filesystem the
Python steps write it with (python_assets/handoff.py); for a local folder it does nothing."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from python_assets import handoff


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.root = str(plugin_config.get("handoff_dir") or "")

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if handoff.is_url(self.root):
            handoff.register(conn, self.root)
