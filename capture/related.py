"""Before you ask: the published responses (Disclosure Log) closest to a request being written.

Information already published may be refused as reasonably accessible (FOI s.21, EIR reg.6(1)(b)), so the
request-description page says so, and the closest published responses are shown while the person types
(with JavaScript) or on a page after the description. Without the Disclosure Log, or while its search is
failing, there is nothing to show and Capture goes on as it always has.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from capture.answers import clean_text
from capture.definitions import FormDefinition
from flask_babel import gettext as _

from portal import current
from portal.dates import govuk_date
from portal.i18n import N_

log = logging.getLogger(__name__)

LIMIT = 5
MAX_TEXT = 5000  # the Disclosure Log's search reads no further
MAX_ABOUT = 500  # the Disclosure Log's search box takes no more
SEARCH_OPERATORS = {"OR", "NOT", "AND", "-"}
REASONABLY_ACCESSIBLE = {
    "FOI": N_("section 21 of the Freedom of Information Act 2000"),
    "EIR": N_("regulation 6(1)(b) of the Environmental Information Regulations 2004"),
}


@dataclasses.dataclass(frozen=True)
class Published:
    title: str
    url: str
    reference: str
    published: str  # "1 April 2025"


def available() -> bool:
    return current.services().published is not None


def law(form: FormDefinition) -> str:
    """The provision that lets the body refuse what is already published, for the notice."""
    provision = REASONABLY_ACCESSIBLE.get(form.case_type)
    return _(provision) if provision else ""


def like(text: str, now: dt.datetime) -> list[Published]:
    """The published responses closest to the text, best first; none when the search cannot answer."""
    published = current.services().published
    if not text.strip() or published is None:
        return []
    try:
        found = published.like(text[:MAX_TEXT], now, LIMIT)
    except Exception as exc:  # a failing search must never stop a request being made
        log.warning("published responses could not be searched: %s", type(exc).__name__)  # never the text
        return []
    return [Published(response.title, response.url, response.reference, govuk_date(response.published))
            for response in found]


def about_words(raw: str | None) -> str:
    """A search made into the start of a description: plain words, without search operators or the words
    the search left out, capped at the search box's length."""
    kept, negate = [], False
    for token in clean_text(raw).split():
        if token in SEARCH_OPERATORS:
            negate = token in {"NOT", "-"}
            continue
        if negate or token.startswith("-"):
            negate = False
            continue
        token = token.replace('"', "").rstrip("*")
        if token:
            kept.append(token)
    text = " ".join(kept)
    return text if len(text) <= MAX_ABOUT else text[:MAX_ABOUT].rsplit(" ", 1)[0]
