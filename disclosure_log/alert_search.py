"""The search an email alert follows: a Disclosure Log search's words and filters, without its sort or page.

It is kept as the search's URL parameters in one canonical order, so the same search however it was reached
(filters ticked in another order, a value twice) is one alert, and its link opens the same search again.
A date that is not real is left out, as the search page leaves it out.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Iterable
from urllib.parse import urlencode

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from disclosure_log import search
from disclosure_log.presenters import outcome
from disclosure_log.query import FACETS, SearchRequest, parse
from portal.dates import govuk_date

SEARCH_PATH = "/disclosure-log"


@dataclasses.dataclass(frozen=True)
class AlertSearch:
    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # in FACETS order, values sorted
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    @classmethod
    def from_form(cls, form: search.SearchForm) -> "AlertSearch":
        filters = tuple((facet, tuple(sorted(set(form.selected[facet])))) for facet in FACETS if form.selected.get(facet))
        return cls(q=form.q, filters=filters, published_from=form.published_from, published_to=form.published_to)

    @classmethod
    def from_args(cls, args) -> "AlertSearch":
        """From a search page's URL parameters (a MultiDict)."""
        return cls.from_form(search.read_form(args))

    @classmethod
    def from_stored(cls, pairs: Iterable) -> "AlertSearch":
        return cls.from_args(MultiDict([(str(name), str(value)) for name, value in pairs]))

    def pairs(self) -> list[tuple[str, str]]:
        """The URL parameters of this search, in canonical order: what an alert stores."""
        found = [("q", self.q)] if self.q else []
        found += [(facet, value) for facet, values in self.filters for value in values]
        for side, day in (("from", self.published_from), ("to", self.published_to)):
            if day is not None:
                found += [(f"{side}-day", str(day.day)), (f"{side}-month", str(day.month)), (f"{side}-year", str(day.year))]
        return found

    @property
    def key(self) -> str:
        """The same for the same search: one alert per search and address."""
        return hashlib.sha256(urlencode(self.pairs()).encode()).hexdigest()

    @property
    def everything(self) -> bool:
        return not self.pairs()

    def query_string(self, newest: bool = False, language: str | None = None) -> str:
        """"?q=...&category=..." ("" for every entry): newest first is where an email's "and 12 more" leads;
        `language`: a `lang` for an email's link when it is not the default language."""
        pairs = self.pairs() + ([("sort", "newest")] if newest else []) + ([("lang", language)] if language else [])
        return "?" + urlencode(pairs) if pairs else ""

    def search_path(self, newest: bool = False, language: str | None = None) -> str:
        """The search page of this search."""
        return SEARCH_PATH + self.query_string(newest, language)

    def request(self, *, after: dt.datetime, until: dt.datetime, limit: int) -> SearchRequest:
        """This search among the entries that became public after `after`, up to and including `until`."""
        return SearchRequest(query=parse(self.q), filters=self.filters, published_from=self.published_from,
                             published_to=self.published_to, sort="newest", limit=limit, now=until,
                             with_facets=False, visible_after=after)

    def described(self) -> list[tuple[str, str]]:
        """(what, values) in words, for the pages and the emails; [] when it is every new response."""
        lines = [(_("Search words"), self.q)] if self.q else []
        lines += [(_(search.FACET_LABELS[facet]), _(" or ").join(_values(facet, values)))
                  for facet, values in self.filters]
        if self.published_from:
            lines.append((_(search.DATE_LABELS["from"]), govuk_date(self.published_from)))
        if self.published_to:
            lines.append((_(search.DATE_LABELS["to"]), govuk_date(self.published_to)))
        return lines

    def summary(self) -> str | None:
        """A few words for an email's subject: the search words, else the first filter; None for everything."""
        if self.q:
            return f"‘{self.q if len(self.q) <= 60 else self.q[:59] + '…'}’"
        described = self.described()
        return f"{described[0][0]}: {described[0][1]}"[:80] if described else None

    def in_the_past(self, today: dt.date) -> str | None:
        """Why new responses may never match (a date range or years that have ended), in words; else None."""
        years = dict(self.filters).get("year", ())
        if self.published_to and self.published_to < today:
            return _("This search only finds responses published up to %(date)s, so new responses may not match it. "
                     "To get emails about new responses, remove that date from your search.",
                     date=govuk_date(self.published_to))
        if years and all(year.isdigit() and int(year) < today.year for year in years):
            return _("This search only finds responses published in %(years)s, so new responses may not match it. "
                     "To get emails about new responses, remove the year from your search.",
                     years=_(" or ").join(years))
        return None


def lines_for_email(wanted: AlertSearch) -> list[str]:
    """The alert's search as plain-text lines."""
    described = wanted.described()
    if not described:
        return [_("Your alert is for every new response.")]
    return [_("Your alert is for new responses matching:"), ""] + [f"- {what}: {values}" for what, values in described]


def _values(facet: str, values: tuple[str, ...]) -> list[str]:
    """A filter's values in words: outcomes translated (fixed values), the rest as they were published."""
    return [outcome(value) for value in values] if facet == "outcome" else list(values)
