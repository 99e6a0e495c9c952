"""How entries read on the page: in the page's language, statutory timeliness, paragraphs, page numbers,
schema.org data.

An entry is shown in the language it was published in, except on a Welsh page when an English entry has its own
Welsh version: then each part of that version there is (title, request, response) is shown instead. Every part
says its language, and one in another language than the page's carries a lang attribute (WCAG 3.1.2), so a
screen reader reads English as English on a Welsh page and Welsh as Welsh on an English one.
"""
from __future__ import annotations

import dataclasses

from flask import url_for
from flask_babel import gettext as _, ngettext
from markupsafe import Markup

from portal import current
from portal.i18n import N_, current_language

LIMITS = {"FOI": 20, "EIR": 20}  # working days; EIR may be extended to 40 for complex requests
# The outcomes are the API's fixed values (entries.OUTCOMES): kept English in the data, the filters' values and
# the exports, and translated where a page shows them.
OUTCOME_WORDS = (N_("Released in full"), N_("Partially released"), N_("Refused"), N_("Information not held"))


def shown_attr(lang: str) -> Markup:
    """` lang="en"` for text in another language than the page's; else nothing."""
    return Markup(' lang="%s"') % lang if lang != current_language() else Markup("")


@dataclasses.dataclass(frozen=True)
class Part:
    """A piece of an entry's own text and the language it is in."""

    text: str
    lang: str

    @property
    def attr(self) -> Markup:
        return shown_attr(self.lang)


@dataclasses.dataclass(frozen=True)
class Shown:
    title: Part
    request: Part
    response: Part
    lang: str  # the language of the rest of its published data (category, exemptions, attachments' text)

    @property
    def attr(self) -> Markup:
        return shown_attr(self.lang)


def shown(entry, language: str | None = None) -> Shown:
    """The entry as a page (or email) in `language` (the page's by default) shows it."""
    language = language or current_language()
    published = entry.language or "en"
    own = Shown(Part(entry.title, published), Part(entry.request, published), Part(entry.response, published),
                published)
    if language != "cy" or published == "cy" or not entry.title_cy:
        return own

    def welsh(text: str, fallback: Part) -> Part:
        return Part(text, "cy") if text else fallback

    return Shown(Part(entry.title_cy, "cy"), welsh(entry.request_cy, own.request),
                 welsh(entry.response_cy, own.response), published)


def outcome(value: str) -> str:
    return _(value) if value in OUTCOME_WORDS else value


def case_type_name(case_type: str) -> str:
    if case_type == "FOI":
        return _("Freedom of Information (FOI)")
    if case_type == "EIR":
        return _("Environmental Information Regulations (EIR)")
    return case_type


def timeliness(entry) -> str:
    days = entry.working_days
    limit = LIMITS.get(entry.case_type, 20)
    taken = ngettext("%(num)d working day", "%(num)d working days", days)
    if days <= limit:
        return _("%(taken)s (within the %(limit)s working day limit)", taken=taken, limit=limit)
    if entry.case_type == "EIR" and days <= 40:
        return _("%(taken)s (within the 40 working days allowed for complex requests)", taken=taken)
    return _("%(taken)s (over the %(limit)s working day limit)", taken=taken, limit=limit)


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in (text or "").replace("\r\n", "\n").split("\n\n") if block.strip()]


def number(value: int) -> str:
    """A count with thousands separators (1,234), as GOV.UK writes numbers in English and in Welsh."""
    return f"{value:,}"


def error_item(error: tuple[str, str]) -> dict:
    field_id, message = error
    return {"text": message, "href": f"#{field_id}"}


def page_numbers(current_page: int, pages: int) -> list[int | None]:
    """First, last and the pages around this one; None where the GOV.UK pagination shows an ellipsis."""
    wanted = sorted({1, pages, current_page - 1, current_page, current_page + 1} & set(range(1, pages + 1)))
    shown: list[int | None] = []
    for number in wanted:
        if shown and number - shown[-1] > 1:
            shown.append(None)
        shown.append(number)
    return shown


def schema_org(entry) -> dict:
    settings = current.settings()
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "identifier": entry.reference,
        "headline": entry.title,
        "url": settings.base_url + url_for("disclosure_log.entry", reference=entry.reference),
        "datePublished": entry.published.isoformat(),
        "dateModified": entry.updated_at.date().isoformat(),
        "about": entry.category or None,
        "genre": f"{entry.case_type} response: {entry.outcome}",
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publisher": {"@type": "GovernmentOrganization", "name": settings.public_body_name},
        "isAccessibleForFree": True,
    }


FILTERS = {f.__name__: f for f in (timeliness, paragraphs, error_item, page_numbers, schema_org, shown, outcome,
                                    case_type_name, number)}
