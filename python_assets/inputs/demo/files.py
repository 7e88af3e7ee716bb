"""Arrow helpers shared by the demo tables: ids, dates and contract-typed parquet files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from python_assets.inputs.contract import InputTable

PARQUET_COMPRESSION = "zstd"

_SQL_TO_ARROW: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "double": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Zero-padded string ids ("S001") built in Arrow, without a Python loop over rows."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def id_width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


def arrow_schema(table: InputTable, columns: Sequence[str]) -> pa.Schema:
    """The Arrow schema of the given contract columns, in the contract's order."""
    wanted = set(columns)
    unknown = wanted - {c.name for c in table.columns}
    if unknown:
        raise ValueError(f"{table.name}: columns not in the input contract: {sorted(unknown)}")
    return pa.schema(
        [pa.field(c.name, _SQL_TO_ARROW[c.sql_type]) for c in table.columns if c.name in wanted]
    )


def write_table(path: Path, table: InputTable, columns: dict[str, pa.Array | np.ndarray]) -> int:
    schema = arrow_schema(table, list(columns))
    arrays = [
        value.cast(f.type) if isinstance(value, pa.Array) else pa.array(value, type=f.type)
        for f, value in ((f, columns[f.name]) for f in schema)
    ]
    pq.write_table(
        pa.Table.from_arrays(arrays, schema=schema), path, compression=PARQUET_COMPRESSION
    )
    return len(arrays[0])


def date32(epoch_days: np.ndarray) -> pa.Array:
    return pa.array(epoch_days.astype(np.int32), type=pa.int32()).cast(pa.date32())
