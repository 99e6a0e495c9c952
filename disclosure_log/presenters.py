"""How entries read on the page: statutory timeliness, paragraphs, page numbers, schema.org data."""
from __future__ import annotations

from flask import url_for

from portal import current

LIMITS = {"FOI": 20, "EIR": 20}  # working days; EIR may be extended to 40 for complex requests


def timeliness(entry) -> str:
    days = entry.working_days
    limit = LIMITS.get(entry.case_type, 20)
    taken = f"{days} working day{'s' if days != 1 else ''}"
    if days <= limit:
        return f"{taken} (within the {limit} working day limit)"
    if entry.case_type == "EIR" and days <= 40:
        return f"{taken} (within the 40 working days allowed for complex requests)"
    return f"{taken} (over the {limit} working day limit)"


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in (text or "").replace("\r\n", "\n").split("\n\n") if block.strip()]


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


FILTERS = {f.__name__: f for f in (timeliness, paragraphs, error_item, page_numbers, schema_org)}
