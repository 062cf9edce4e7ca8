"""The pure date rules of « Absences »: months of the school year, weeks of a month, half-days."""

from datetime import date, datetime

import pytest
from teleservices_absences.weeks import (
    AFTERNOON,
    MORNING,
    Week,
    half_days,
    parse_month,
    school_year_months,
    week_counts,
    weeks_of_month,
)


def test_school_year_runs_from_september_to_august():
    months = school_year_months(date(2027, 1, 6))
    assert months[0] == date(2026, 9, 1) and months[-1] == date(2027, 8, 1)
    assert len(months) == 12
    assert school_year_months(date(2026, 9, 1))[0] == date(2026, 9, 1)
    assert school_year_months(date(2026, 8, 31))[0] == date(2025, 9, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12", date(2026, 12, 1)),
        ("2027-08", date(2027, 8, 1)),
        (None, date(2027, 1, 1)),
        ("", date(2027, 1, 1)),
        ("2026-13", date(2027, 1, 1)),
        ("2026-1", date(2027, 1, 1)),
        ("abcd-ef", date(2027, 1, 1)),
        ("2026-08", date(2027, 1, 1)),  # another school year
        ("2027-09", date(2027, 1, 1)),
    ],
)
def test_parse_month_falls_back_to_the_current_month(value, expected):
    assert parse_month(value, date(2027, 1, 6)) == expected


def test_weeks_of_a_month_starting_on_a_friday_cross_the_year():
    weeks = weeks_of_month(date(2027, 1, 1))
    assert [(w.number, w.monday, w.saturday) for w in weeks] == [
        (53, date(2026, 12, 28), date(2027, 1, 2)),
        (1, date(2027, 1, 4), date(2027, 1, 9)),
        (2, date(2027, 1, 11), date(2027, 1, 16)),
        (3, date(2027, 1, 18), date(2027, 1, 23)),
        (4, date(2027, 1, 25), date(2027, 1, 30)),
    ]
    december = weeks_of_month(date(2026, 12, 1))
    assert [w.number for w in december] == [49, 50, 51, 52, 53]
    assert december[0].monday == date(2026, 11, 30)


def test_a_week_whose_saturday_is_the_previous_month_is_not_shown():
    # 1 March 2026 is a Sunday: the week of 23–28 February does not overlap March.
    weeks = weeks_of_month(date(2026, 3, 1))
    assert weeks[0].monday == date(2026, 3, 2)
    # 31 May 2026 is a Sunday: no week of June is shown for May.
    assert weeks_of_month(date(2026, 5, 1))[-1].saturday == date(2026, 5, 30)


def test_seed_february_2011():
    assert [w.number for w in weeks_of_month(date(2011, 2, 1))] == [5, 6, 7, 8, 9]


def test_half_days_of_an_event():
    day = date(2027, 1, 4)  # a Monday
    assert half_days(datetime(2027, 1, 4, 8), datetime(2027, 1, 4, 12)) == {(day, MORNING)}
    assert half_days(datetime(2027, 1, 4, 8), datetime(2027, 1, 4, 12, 1)) == {
        (day, MORNING),
        (day, AFTERNOON),
    }
    assert half_days(datetime(2027, 1, 4, 12), datetime(2027, 1, 4, 17)) == {(day, AFTERNOON)}
    assert half_days(datetime(2027, 1, 4, 8, 10), None) == {(day, MORNING)}
    assert half_days(datetime(2027, 1, 4, 14), datetime(2027, 1, 4, 14)) == {(day, AFTERNOON)}


def test_half_days_skip_sundays_and_respect_the_window():
    covered = half_days(datetime(2027, 1, 9, 8), datetime(2027, 1, 11, 12))
    assert covered == {
        (date(2027, 1, 9), MORNING),
        (date(2027, 1, 9), AFTERNOON),
        (date(2027, 1, 11), MORNING),
    }
    window = (date(2027, 1, 11), date(2027, 1, 16))
    assert half_days(datetime(2027, 1, 9, 8), datetime(2027, 1, 11, 12), window) == {
        (date(2027, 1, 11), MORNING)
    }


def test_week_counts_count_each_half_day_once():
    weeks = [Week(1, date(2027, 1, 4)), Week(2, date(2027, 1, 11))]
    events = [
        (datetime(2027, 1, 7, 8), datetime(2027, 1, 7, 9)),
        (datetime(2027, 1, 7, 10), datetime(2027, 1, 7, 11)),  # the same morning
        (datetime(2027, 1, 8, 14), datetime(2027, 1, 11, 10)),  # Friday PM → Monday AM
    ]
    counts = week_counts(weeks, events)
    assert counts == {weeks[0]: 4, weeks[1]: 1}
