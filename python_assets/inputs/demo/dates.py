"""The demo calendar: days, weekdays, Monday-based weeks and US retail holidays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """n-th (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def us_retail_holidays(first: date, last: date) -> list[date]:
    """US federal holidays plus the big retail days (Black Friday, Christmas and New Year's Eve)."""
    days: list[date] = []
    for year in range(first.year, last.year + 1):
        thanksgiving = _nth_weekday(year, 11, 3, 4)
        days += [
            date(year, 1, 1),
            _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
            _nth_weekday(year, 2, 0, 3),  # Presidents' Day
            _nth_weekday(year, 5, 0, -1),  # Memorial Day
            date(year, 6, 19),
            date(year, 7, 4),
            _nth_weekday(year, 9, 0, 1),  # Labor Day
            date(year, 11, 11),
            thanksgiving,
            thanksgiving + timedelta(days=1),  # Black Friday
            date(year, 12, 24),
            date(year, 12, 25),
            date(year, 12, 31),
        ]
    return sorted(d for d in days if first <= d <= last)


@dataclass(frozen=True)
class Calendar:
    epoch_days: np.ndarray  # int, one per day
    weekday: np.ndarray  # Monday = 0
    day_of_year: np.ndarray
    holiday: np.ndarray  # bool
    week: np.ndarray  # Monday-based week number counted from the first day


def build_calendar(end_date: date, n_days: int) -> Calendar:
    first = end_date - timedelta(days=n_days - 1)
    epoch_days = (first - date(1970, 1, 1)).days + np.arange(n_days)
    as_dates = epoch_days.astype("datetime64[D]")
    weekday = (epoch_days + 3) % 7  # 1970-01-01 was a Thursday
    day_of_year = (as_dates - as_dates.astype("datetime64[Y]")).astype(int) + 1
    holidays = np.array(
        [(d - date(1970, 1, 1)).days for d in us_retail_holidays(first, end_date)], dtype=int
    )
    monday_week = (epoch_days - 4) // 7  # 1970-01-05 was a Monday
    return Calendar(
        epoch_days=epoch_days,
        weekday=weekday,
        day_of_year=day_of_year,
        holiday=np.isin(epoch_days, holidays),
        week=monday_week - monday_week[0],
    )
