"""The optional transfers_executed input: validated like every input when given, an empty raw
table (so an empty completion KPI) when not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from python_assets import handoff
from python_assets.inputs.contract import TRANSFERS_EXECUTED
from python_assets.inputs.validation import InputValidationError, load_inputs, validate_inputs
from tests.inputs.test_contract import write_valid_inputs


def write_transfers(folder: Path, to_store: str = "S2") -> None:
    pd.DataFrame(
        {
            "ship_date": ["2025-01-02", "2025-01-03"],
            "from_store_id": ["S1", "S1"],
            "to_store_id": [to_store, "S2"],
            "product_id": ["P1", "P2"],
            "planned_units": [10, 4],
            "shipped_units": [8, 4],
            "received_units": [8, 3],
        }
    ).to_csv(folder / "transfers_executed.csv", index=False)


def load(folder: Path, tmp_path: Path) -> pd.DataFrame:
    load_inputs(tmp_path / "handoff", validate_inputs(folder))
    return handoff.read_table(tmp_path / "handoff", "raw", "transfers_executed")


def test_without_the_file_the_raw_table_is_empty_with_the_contract_columns(tmp_path: Path) -> None:
    folder = write_valid_inputs(tmp_path / "inputs")
    assert "transfers_executed" not in validate_inputs(folder)
    raw = load(folder, tmp_path)
    assert raw.empty
    assert list(raw.columns) == [c.name for c in TRANSFERS_EXECUTED.columns]


def test_with_the_file_its_rows_load(tmp_path: Path) -> None:
    folder = write_valid_inputs(tmp_path / "inputs")
    write_transfers(folder)
    raw = load(folder, tmp_path)
    assert raw["planned_units"].sum() == 14 and raw["received_units"].sum() == 11
    assert raw["transfer_id"].isna().all()  # optional column, absent from the file


def test_an_unknown_receiving_store_is_named(tmp_path: Path) -> None:
    folder = write_valid_inputs(tmp_path / "inputs")
    write_transfers(folder, to_store="S9")
    with pytest.raises(InputValidationError) as caught:
        validate_inputs(folder)
    (problem,) = caught.value.problems
    assert (problem.column, problem.kind, problem.count) == (
        "to_store_id",
        "unknown id (not in stores)",
        1,
    )
    assert problem.file.endswith("transfers_executed.csv") and "S9" in problem.example
