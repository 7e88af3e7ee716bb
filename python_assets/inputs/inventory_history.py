"""The weekly inventory history the dataset generators write beside the latest snapshot: which
earlier dates get a snapshot (README "Input contract")."""

from __future__ import annotations

HISTORY_WEEKS = 8
HISTORY_STEP_DAYS = 7


def history_offsets(n_days: int, window_days: int) -> tuple[int, ...]:
    """Days before the last sales day of each history snapshot: 7, 14, ... 56, keeping those
    whose `window_days`-day demand window (ending on the snapshot day) lies inside the `n_days`
    of sales, so every snapshot follows the same rule as the latest one."""
    if n_days < 1 or window_days < 1:
        raise ValueError(f"n_days and window_days must be >= 1, got {n_days}, {window_days}")
    steps = (k * HISTORY_STEP_DAYS for k in range(1, HISTORY_WEEKS + 1))
    return tuple(offset for offset in steps if n_days - offset >= window_days)
