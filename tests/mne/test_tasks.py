"""Task status from percent complete and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from mne.tasks import expected_share, task_status

START, DUE = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("percent", "today", "status"),
    [
        (100, dt.date(2026, 6, 1), "done"),
        (0, dt.date(2025, 12, 1), "not_started"),
        (50, dt.date(2027, 1, 5), "late"),
        (10, dt.date(2026, 7, 2), "at_risk"),  # half the time gone, 10 % done
        (45, dt.date(2026, 7, 2), "on_track"),  # at least 80 % of the straight path
    ],
)
def test_task_status(percent: float, today: dt.date, status: str) -> None:
    assert task_status(percent, START, DUE, today) == status


def test_expected_share() -> None:
    assert expected_share(START, DUE, dt.date(2025, 1, 1)) == 0.0
    assert expected_share(START, DUE, dt.date(2027, 1, 1)) == 1.0
    assert expected_share(START, DUE, dt.date(2026, 7, 2)) == pytest.approx(0.5, abs=0.01)
