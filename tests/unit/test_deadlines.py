"""Statutory due dates: known cases worked out by hand from a calendar, and properties that always hold.

Bank holidays used below (gov.uk/bank-holidays; Scotland "S", Northern Ireland "NI", else all of the UK):
2025: 1 Dec (S, St Andrew's Day substitute), 25 and 26 Dec.
2026: 1 Jan, 2 Jan (S), 17 Mar (NI), 3 Apr (Good Friday), 6 Apr (Easter Monday, not S), 4 May, 25 May,
      13 Jul (NI, Battle of the Boyne substitute), 3 Aug (S), 31 Aug (not S), 30 Nov (S), 25 Dec, 28 Dec
      (Boxing Day substitute). 15 Jun 2026 (S) is avoided by every window below.
2027: 1 Jan, 4 Jan (S, 2 January substitute), 12 Jul (NI), 2 Aug (S), 27 and 28 Dec (substitutes).
2028: 3 Jan (New Year's Day substitute), 4 Jan (S, 2 January substitute).
"""
from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capture import deadlines
from capture.deadlines import DueDateRule, due_date
from portal.working_days import add_working_days, is_working_day, working_days_between

UTC = dt.timezone.utc
D = dt.date


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# FOI and EIR: 20 working days, day 1 the first working day after the day of receipt
# (FOIA s.10(1) and (6); ICO "Time limits for compliance under the FOIA (section 10)").
FOI_CASES = [
    pytest.param(at(2026, 2, 4), D(2026, 3, 4), id="weekday, no holidays: four weeks later"),
    pytest.param(at(2026, 2, 6), D(2026, 3, 6), id="Friday"),
    pytest.param(at(2026, 2, 7), D(2026, 3, 6), id="Saturday: day 1 is Monday, as for a Friday"),
    pytest.param(at(2026, 2, 8), D(2026, 3, 6), id="Sunday: day 1 is Monday"),
    pytest.param(at(2026, 3, 16), D(2026, 4, 16), id="St Patrick's Day (NI), Good Friday, Easter Monday skipped"),
    pytest.param(at(2026, 3, 17), D(2026, 4, 16), id="received on St Patrick's Day (NI only)"),
    pytest.param(at(2026, 4, 6), D(2026, 5, 5), id="received on Easter Monday; early May bank holiday skipped"),
    pytest.param(at(2026, 4, 3), D(2026, 5, 5), id="received on Good Friday"),
    pytest.param(at(2025, 12, 31), D(2026, 1, 30), id="New Year's Day and 2 January (Scotland) skipped"),
    pytest.param(at(2026, 1, 2), D(2026, 1, 30), id="received on 2 January (Scotland only)"),
    pytest.param(at(2026, 11, 27), D(2026, 12, 30), id="St Andrew's Day (Scotland) and Christmas skipped"),
    pytest.param(at(2025, 11, 28), D(2025, 12, 31), id="St Andrew's Day substitute Monday 1 December 2025"),
    pytest.param(at(2026, 7, 10), D(2026, 8, 11), id="Boyne substitute 13 July (NI) and 3 August (Scotland)"),
    pytest.param(at(2027, 7, 9), D(2027, 8, 10), id="12 July (NI) on a Monday and 2 August (Scotland)"),
    pytest.param(at(2026, 12, 22), D(2027, 1, 25), id="22 December: Christmas, substitutes and new year"),
    pytest.param(at(2026, 12, 23), D(2027, 1, 26), id="23 December"),
    pytest.param(at(2026, 12, 24), D(2027, 1, 27), id="Christmas Eve: day 1 is 29 December"),
    pytest.param(at(2026, 12, 25), D(2027, 1, 27), id="Christmas Day"),
    pytest.param(at(2026, 12, 28), D(2027, 1, 27), id="Boxing Day substitute"),
    pytest.param(at(2026, 3, 31, 22, 59), D(2026, 4, 30), id="23:59 in London (summer time) is still 31 March"),
    pytest.param(at(2026, 3, 31, 23, 30), D(2026, 5, 1), id="23:30 UTC in summer time is 1 April in London"),
    pytest.param(at(2026, 1, 30, 23, 30), D(2026, 2, 27), id="23:30 UTC in winter is the same day in London"),
]


@pytest.mark.parametrize(("received_at", "due"), FOI_CASES)
def test_foi_due_date(received_at, due):
    assert due_date("foi", received_at) == due


def test_eir_counts_like_foi():
    # EIR reg. 5(2): 20 working days; reg. 2(1) gives "working day" the FOIA meaning.
    assert due_date("eir", at(2026, 2, 4)) == D(2026, 3, 4)
    assert due_date("eir", at(2026, 12, 24)) == D(2027, 1, 27)


# SAR: one calendar month from the day of receipt to the corresponding day of the next month,
# or that month's last day if it has none; a weekend or bank holiday moves it to the next working
# day (ICO "Right of access: how long do we have to comply?").
SAR_CASES = [
    pytest.param(at(2025, 9, 3), D(2025, 10, 3), id="ICO example: 3 September to 3 October"),
    pytest.param(at(2026, 9, 3), D(2026, 10, 5), id="3 October 2026 is a Saturday: Monday 5 October"),
    pytest.param(at(2025, 3, 31), D(2025, 4, 30), id="ICO example: 31 March to 30 April"),
    pytest.param(at(2025, 1, 31), D(2025, 2, 28), id="31 January to 28 February"),
    pytest.param(at(2025, 1, 30), D(2025, 2, 28), id="30 January to 28 February"),
    pytest.param(at(2025, 1, 28), D(2025, 2, 28), id="28 January to 28 February"),
    pytest.param(at(2024, 1, 31), D(2024, 2, 29), id="31 January to 29 February in a leap year"),
    pytest.param(at(2028, 1, 31), D(2028, 2, 29), id="31 January 2028, a leap year"),
    pytest.param(at(2026, 1, 31), D(2026, 3, 2), id="31 January 2026: 28 February is a Saturday"),
    pytest.param(at(2026, 2, 17), D(2026, 3, 17), id="due on St Patrick's Day: a working day in England"),
    pytest.param(at(2026, 4, 4), D(2026, 5, 5), id="due on the early May bank holiday"),
    pytest.param(at(2026, 10, 30), D(2026, 11, 30), id="due on St Andrew's Day: a working day in England"),
    pytest.param(at(2026, 6, 12), D(2026, 7, 13), id="due on a Sunday: Monday, not NI's Boyne substitute"),
    pytest.param(at(2026, 11, 25), D(2026, 12, 29), id="due on Christmas Day, then weekend and substitute"),
    pytest.param(at(2026, 12, 25), D(2027, 1, 25), id="received on Christmas Day"),
    pytest.param(at(2026, 12, 31), D(2027, 2, 1), id="over the new year: 31 January 2027 is a Sunday"),
    pytest.param(at(2027, 12, 2), D(2028, 1, 4), id="due 2 January 2028: Sunday, then the New Year substitute"),
    pytest.param(at(2026, 3, 31, 23, 30), D(2026, 5, 1), id="23:30 UTC in summer time is 1 April in London"),
]


@pytest.mark.parametrize(("received_at", "due"), SAR_CASES)
def test_sar_due_date(received_at, due):
    assert due_date("sar", received_at) == due  # a body in England, the default


@pytest.mark.parametrize(("received_at", "nation", "due"), [
    pytest.param(at(2026, 2, 17), "northern-ireland", D(2026, 3, 18), id="St Patrick's Day in Northern Ireland"),
    pytest.param(at(2026, 10, 30), "scotland", D(2026, 12, 1), id="St Andrew's Day in Scotland"),
    pytest.param(at(2026, 6, 12), "northern-ireland", D(2026, 7, 14), id="Sunday, then the Boyne substitute"),
    pytest.param(at(2027, 12, 2), "scotland", D(2028, 1, 5), id="2 January 2028 in Scotland: two substitutes"),
    pytest.param(at(2026, 4, 4), "wales", D(2026, 5, 5), id="the early May bank holiday in Wales"),
])
def test_sar_due_date_in_each_nation(received_at, nation, due):
    assert due_date("sar", received_at, nation) == due


@pytest.mark.parametrize(("rule", "received_at", "due"), [
    ({"working_days": 10}, at(2026, 2, 4), D(2026, 2, 18)),
    ({"working_days": 10, "basis": "Complaints procedure, stage 1"}, at(2026, 12, 24), D(2027, 1, 12)),
    ({"working_days": 1}, at(2026, 2, 6), D(2026, 2, 9)),
    ({"calendar_days": 28}, at(2026, 2, 4), D(2026, 3, 4)),
    ({"calendar_days": 28}, at(2026, 2, 7), D(2026, 3, 9)),
    ({"calendar_months": 3}, at(2026, 11, 30), D(2027, 3, 1)),
], ids=["10 working days", "10 working days over Christmas", "one working day", "28 calendar days",
        "28 calendar days ending on a Saturday", "three calendar months ending on 28 February, a Sunday"])
def test_rules_from_form_definitions(rule, received_at, due):
    assert due_date(rule, received_at) == due


@pytest.mark.parametrize(("rule", "words"), [
    ("foi", "20 working days, under the Freedom of Information Act 2000, section 10"),
    ("EIR", "20 working days, under the Environmental Information Regulations 2004, regulation 5(2)"),
    ("sar", "one calendar month, under UK GDPR, Article 12(3)"),
    ({"working_days": 10, "basis": "Complaints procedure, stage 1"}, "10 working days, under Complaints procedure, stage 1"),
    ({"working_days": 1}, "one working day"),
    ({"calendar_days": 28}, "28 calendar days"),
])
def test_rules_are_described_for_people(rule, words):
    assert deadlines.describe(rule) == words


@pytest.mark.parametrize("rule", ["foi", "sar", {"working_days": 15, "basis": "Stage 2 complaint"}])
def test_a_stored_rule_reads_back_the_same(rule):
    stored = deadlines.rule_from(rule).to_dict()
    assert deadlines.rule_from(stored) == deadlines.rule_from(rule)
    assert due_date(stored, at(2026, 12, 22)) == due_date(rule, at(2026, 12, 22))


@pytest.mark.parametrize("rule", [
    "fio", "", {}, {"working_days": 0}, {"working_days": -5}, {"working_days": 2.5}, {"working_days": "20"},
    {"working_days": True}, {"working_days": 10, "calendar_days": 14}, {"weeks": 4}, {"working_days": 10, "basis": 3},
    {"calendar_months": 120}, 20,
], ids=repr)
def test_a_bad_rule_in_a_form_definition_is_refused(rule):
    with pytest.raises(ValueError):
        deadlines.rule_from(rule)


def test_a_receipt_time_without_a_timezone_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        due_date("foi", dt.datetime(2026, 2, 4, 10, 0))


def test_a_datetime_is_not_taken_for_a_date():
    with pytest.raises(TypeError):
        is_working_day(dt.datetime(2026, 12, 25, tzinfo=UTC))


@pytest.mark.parametrize(("day", "working"), [
    (D(2026, 4, 3), False),    # Good Friday
    (D(2026, 4, 6), False),    # Easter Monday (not Scotland)
    (D(2026, 3, 17), False),   # St Patrick's Day (NI only)
    (D(2026, 1, 2), False),    # 2 January (Scotland only)
    (D(2027, 1, 4), False),    # 2 January 2027 is a Saturday: substitute Monday (Scotland)
    (D(2026, 11, 30), False),  # St Andrew's Day (Scotland)
    (D(2025, 12, 1), False),   # St Andrew's Day 2025 is a Sunday: substitute Monday (Scotland)
    (D(2026, 7, 13), False),   # 12 July 2026 is a Sunday: substitute Monday (NI)
    (D(2027, 7, 12), False),   # Battle of the Boyne (NI)
    (D(2026, 8, 3), False),    # Summer bank holiday (Scotland)
    (D(2026, 8, 31), False),   # Summer bank holiday (not Scotland)
    (D(2027, 12, 27), False),  # Christmas Day 2027 is a Saturday: substitute Monday
    (D(2026, 12, 26), False),  # Saturday
    (D(2026, 12, 27), False),  # Sunday
    (D(2026, 12, 24), True),   # Christmas Eve is not a holiday
    (D(2026, 12, 31), True),
    (D(2026, 7, 14), True),
    (D(2026, 2, 4), True),
])
def test_working_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(("start", "end", "taken"), [
    (D(2026, 2, 4), D(2026, 2, 4), 0),
    (D(2026, 2, 6), D(2026, 2, 9), 1),      # Friday to Monday
    (D(2026, 2, 7), D(2026, 2, 8), 0),      # Saturday to Sunday
    (D(2026, 12, 22), D(2027, 1, 25), 20),  # over Christmas, as the FOI case above
    (D(2027, 1, 25), D(2026, 12, 22), -20),
    # 260 weekdays after Friday 1 January 2027 to Saturday 1 January 2028, less the 12 weekday bank holidays
    # 4 Jan, 17 Mar, 26 and 29 Mar, 3 and 31 May, 12 Jul, 2 and 30 Aug, 30 Nov, 27 and 28 Dec
    (D(2027, 1, 1), D(2028, 1, 1), 260 - 12),
])
def test_working_days_between(start, end, taken):
    assert working_days_between(start, end) == taken


def test_a_date_beyond_the_holiday_calendar_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="no UK bank holiday calendar"):
        is_working_day(D(2150, 6, 1))


# Properties -----------------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2098, 12, 31),
                       timezones=st.just(UTC))
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2098, 12, 31))


def easter_sunday(year: int) -> dt.date:
    """The anonymous Gregorian algorithm (Meeus), independent of the holidays package."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return D(year, month, day + 1)


@given(st.integers(min_value=2000, max_value=2098))
def test_christmas_day_and_good_friday_are_never_working_days(year):
    assert not is_working_day(D(year, 12, 25))
    assert not is_working_day(easter_sunday(year) - dt.timedelta(days=2))


@settings(deadline=None)
@given(moments, st.sampled_from(["foi", "eir"]))
def test_foi_due_date_is_the_twentieth_working_day_after_receipt(received_at, rule):
    received_on = deadlines.receipt_date(received_at)
    due = due_date(rule, received_at)
    assert due > received_on
    assert is_working_day(due)
    counted = [received_on + dt.timedelta(days=n) for n in range(1, (due - received_on).days + 1)]
    assert sum(map(is_working_day, counted)) == 20
    assert working_days_between(received_on, due) == 20


@settings(deadline=None)
@given(moments, moments)
def test_a_later_receipt_is_never_due_earlier(first, second):
    earlier, later = sorted((first, second))
    for rule in ("foi", "sar", {"working_days": 10}, {"calendar_days": 28}):
        assert due_date(rule, earlier) <= due_date(rule, later)


@settings(deadline=None)
@given(moments)
def test_sar_due_date_is_the_first_working_day_from_the_corresponding_day(received_at):
    received_on = deadlines.receipt_date(received_at)
    due = due_date("sar", received_at)
    assert is_working_day(due, "england")
    assert 28 <= (due - received_on).days <= 31 + 5
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    corresponding = D(year, month, min(received_on.day, calendar.monthrange(year, month)[1]))
    assert corresponding <= due
    assert not any(is_working_day(corresponding + dt.timedelta(days=n), "england")
                   for n in range((due - corresponding).days))


@settings(deadline=None)
@given(moments, st.integers(min_value=-14, max_value=14))
def test_the_same_moment_in_any_timezone_has_the_same_due_date(received_at, offset_hours):
    elsewhere = received_at.astimezone(dt.timezone(dt.timedelta(hours=offset_hours)))
    for rule in ("foi", "sar"):
        assert due_date(rule, elsewhere) == due_date(rule, received_at)


@settings(deadline=None)
@given(days, days, days)
def test_working_days_between_adds_up(a, b, c):
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)
    assert working_days_between(a, b) == -working_days_between(b, a)


@settings(deadline=None)
@given(days, st.integers(min_value=0, max_value=120))
def test_working_days_between_counts_each_working_day_once(start, span):
    end = start + dt.timedelta(days=span)
    brute_force = sum(is_working_day(start + dt.timedelta(days=n)) for n in range(1, span + 1))
    assert working_days_between(start, end) == brute_force


@settings(deadline=None)
@given(days, st.integers(min_value=1, max_value=60))
def test_add_working_days_and_working_days_between_agree(start, count):
    end = add_working_days(start, count)
    assert is_working_day(end)
    assert working_days_between(start, end) == count
    assert working_days_between(start, end - dt.timedelta(days=1)) == count - 1


def test_a_rule_is_a_value():
    assert deadlines.rule_from("foi") == DueDateRule("working_days", 20, "the Freedom of Information Act 2000, section 10",
                                                     uk_wide=True)


@pytest.mark.parametrize(("nation", "due"), [
    ("england", D(2027, 1, 4)), ("wales", D(2027, 1, 4)), ("northern-ireland", D(2027, 1, 4)),
    ("scotland", D(2027, 1, 5)),  # 4 January 2027 is Scotland's substitute for 2 January
])
def test_a_subject_access_month_runs_to_the_bodys_own_next_working_day(nation, due):
    """UK GDPR does not say "any part of the United Kingdom" as FOIA s.10(6) does."""
    assert due_date("sar", at(2026, 12, 1), nation) == due


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern-ireland"])
def test_foi_and_eir_count_every_uk_bank_holiday_wherever_the_body_is(nation):
    # From 18 December 2026: 25 and 28 December, 1 January and Scotland's 4 January are not working days.
    assert due_date("foi", at(2026, 12, 18), nation) == due_date("eir", at(2026, 12, 18), nation) == D(2027, 1, 21)


def test_a_policy_clock_counts_the_bodys_own_working_days():
    # 10 working days from Wednesday 23 December 2026: Scotland loses 4 January as well.
    assert due_date({"working_days": 10}, at(2026, 12, 23), "england") == D(2027, 1, 11)
    assert due_date({"working_days": 10}, at(2026, 12, 23), "scotland") == D(2027, 1, 12)


def test_only_the_laws_clocks_are_statutory():
    assert all(deadlines.rule_from(name).statutory for name in ("foi", "eir", "sar"))
    assert not deadlines.rule_from({"working_days": 20, "basis": "our complaints policy"}).statutory


def test_the_settings_know_the_same_nations_as_the_calendar():
    from portal import settings, working_days

    assert settings.NATIONS == tuple(working_days.NATIONS)
