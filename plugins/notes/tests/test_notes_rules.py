"""The publication rules and the averages, as pure functions."""

from datetime import date
from decimal import Decimal

from teleservices_notes.averages import Mark, french, overall_average, subject_averages
from teleservices_notes.chart import trend
from teleservices_notes.publication import Publication


def test_au_fil_de_l_eau_shows_a_grade_the_day_after_its_entry():
    rule = Publication.for_student({"publication_mode": "fil_de_l_eau"}, "4EME", "4C")
    entered = date(2026, 11, 20)
    assert not rule.is_visible(entered, entered, date(2026, 11, 20))
    assert rule.is_visible(entered, entered, date(2026, 11, 21))


def test_a_echeance_waits_for_the_first_date_after_the_teacher_s_publication():
    settings = {
        "publication_mode": "echeance",
        "publication_dates": [
            {"classe": "4EME|4C", "date": "2026-12-12"},
            {"classe": "4EME|4C", "date": "2027-03-20"},
            {"classe": "3EME|3A", "date": "2026-12-01"},
        ],
    }
    rule = Publication.for_student(settings, "4EME", "4C")
    # The seed's example: published by the teacher on 13/12, after the 12/12 échéance.
    assert rule.visible_from(date(2026, 11, 12), date(2026, 12, 13)) == date(2027, 3, 20)
    assert rule.visible_from(date(2026, 11, 12), date(2026, 12, 12)) == date(2026, 12, 12)
    assert not rule.is_visible(date(2026, 11, 12), date(2026, 12, 1), date(2026, 12, 11))
    assert rule.is_visible(date(2026, 11, 12), date(2026, 12, 1), date(2026, 12, 12))
    other = Publication.for_student(settings, "4EME", "4D")
    assert other.visible_from(date(2026, 11, 12), date(2026, 11, 12)) is None


def mark(subject, value, scale=20, coefficient="1", day=1):
    return Mark(
        subject,
        date(2026, 10, day),
        None if value is None else Decimal(value),
        scale,
        Decimal(coefficient),
    )


def test_averages_apply_coefficients_scales_and_leave_codes_out():
    marks = [
        mark("MATHS", "10", coefficient="1"),
        mark("MATHS", "16", coefficient="2"),  # (10 + 32) / 3 = 14
        mark("MATHS", None, coefficient="3"),  # absent: not counted
        mark("FRANÇAIS", "8", scale=16),  # 10/20
        mark("FRANÇAIS", "19", coefficient="0"),  # coefficient 0: not counted
        mark("EPS", None),
    ]
    averages = subject_averages(marks)
    assert list(averages) == ["EPS", "FRANÇAIS", "MATHS"]
    assert averages == {"EPS": None, "FRANÇAIS": Decimal("10.00"), "MATHS": Decimal("14.00")}
    assert overall_average(averages) == Decimal("12.00")
    assert french(Decimal("8")) == "8,00" and french(None) == ""


def test_the_trend_chart_says_every_point():
    chart = trend("MATHS", [mark("MATHS", "12", day=9), mark("MATHS", "8", scale=10, day=2)])
    assert chart is not None
    assert chart.description == (
        "Évolution des notes en MATHS (sur 20) : 16,00/20 le 02/10/2026, 12,00/20 le 09/10/2026."
    )
    assert chart.points[0].y < chart.points[1].y  # 16 is drawn higher than 12
    assert trend("MATHS", [mark("MATHS", "12"), mark("MATHS", None)]) is None


def test_the_recent_windows_match_the_first_day_shown():
    today = date(2026, 12, 20)
    fil = Publication.for_student({}, "4EME", "4C")
    [(low, high)] = fil.recent_windows(today, 7)
    for entered in (date(2026, 12, 12), date(2026, 12, 13), date(2026, 12, 19), date(2026, 12, 20)):
        first_day = fil.visible_from(entered, entered)
        assert (low < entered <= high) == (0 <= (today - first_day).days < 7)
    settings = {
        "publication_mode": "echeance",
        "publication_dates": [
            {"classe": "4EME|4C", "date": "2026-10-01"},
            {"classe": "4EME|4C", "date": "2026-12-15"},
            {"classe": "4EME|4C", "date": "2027-01-10"},
        ],
    }
    rule = Publication.for_student(settings, "4EME", "4C")
    assert rule.recent_windows(today, 7) == [(date(2026, 10, 1), date(2026, 12, 15))]
    first_only = Publication.for_student(
        {**settings, "publication_dates": settings["publication_dates"][1:]}, "4EME", "4C"
    )
    assert first_only.recent_windows(today, 7) == [(None, date(2026, 12, 15))]
