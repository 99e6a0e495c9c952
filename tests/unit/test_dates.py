import datetime as dt

import pytest

from portal.dates import govuk_date, govuk_datetime, minutes_to_wait

UTC = dt.timezone.utc


@pytest.mark.parametrize(("moment", "shown"), [
    (dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC), "25 June 2026 at 6:00pm"),  # BST
    (dt.datetime(2026, 12, 25, 18, 5, tzinfo=UTC), "25 December 2026 at 6:05pm"),  # GMT
    (dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "1 April 2026 at 12:30am"),  # crosses midnight in London
    (dt.datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 July 2026 at midday"),
    (dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "1 January 2026 at midnight"),
    (dt.datetime(2026, 1, 9, 9, 7, tzinfo=UTC), "9 January 2026 at 9:07am"),
])
def test_times_are_shown_in_london_the_gov_uk_way(moment, shown):
    assert govuk_datetime(moment) == shown


def test_dates_have_no_leading_zero():
    assert govuk_date(dt.date(2026, 2, 3)) == "3 February 2026"


@pytest.mark.parametrize("seconds, shown", [(0, "1 minute"), (1, "1 minute"), (60, "1 minute"), (61, "2 minutes"),
                                            (45 * 60, "45 minutes"), (3599, "1 hour"), (3600, "1 hour")])
def test_a_wait_is_rounded_up_to_the_minute(seconds, shown):
    assert minutes_to_wait(dt.timedelta(seconds=seconds)) == shown


@pytest.mark.parametrize(("moment", "shown"), [
    (dt.datetime(2026, 12, 1, 18, 0, tzinfo=UTC), "1 Rhagfyr 2026 am 6:00yh"),
    (dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC), "25 Mehefin 2026 am 6:00yh"),  # BST
    (dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), "1 Ebrill 2026 am 12:30yb"),
    (dt.datetime(2026, 1, 9, 9, 7, tzinfo=UTC), "9 Ionawr 2026 am 9:07yb"),
    (dt.datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 Gorffennaf 2026 am hanner dydd"),
    (dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "1 Ionawr 2026 am hanner nos"),
])
def test_times_in_welsh(moment, shown):
    assert govuk_datetime(moment, "cy") == shown


def test_every_month_has_its_welsh_name():
    months = [govuk_date(dt.date(2026, month, 2), "cy").split()[1] for month in range(1, 13)]
    assert months == ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
                      "Hydref", "Tachwedd", "Rhagfyr"]


def test_without_a_language_dates_follow_the_page(app):
    moment = dt.datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    with app.test_request_context("/?lang=cy"):
        assert govuk_datetime(moment) == "1 Rhagfyr 2026 am 6:00yh"
        assert minutes_to_wait(dt.timedelta(minutes=3)) == "3 munud"
        rendered = app.jinja_env.from_string("{{ when | govuk_date }}, {{ when | govuk_datetime }}").render(when=moment)
        assert rendered == "1 Rhagfyr 2026, 1 Rhagfyr 2026 am 6:00yh"
    with app.test_request_context("/"):
        assert govuk_datetime(moment) == "1 December 2026 at 6:00pm"
    assert govuk_date(moment) == "1 December 2026"  # no app: English
