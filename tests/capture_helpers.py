"""Driving a Capture form through the Flask test client, the way a person with no JavaScript would."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from tests.pages import check_page

CODE = re.compile(r"^(\d{6})$", re.M)

# One valid answer per question type, as form fields keyed by page id, for each shipped form's happy path.
HAPPY_PATHS = {
    "foi": [
        ("about-you", {"about_yourself": "no"}),
        ("full-name", {"full_name": "Zoë O'Brien"}),
        ("email-address", {"email": "zoe@example.com"}),
        ("request-description", {"description": "Please provide the number of potholes repaired in Hertford in 2025."}),
        ("environmental", {"environmental": "no"}),
        ("format", {"format": "email"}),
        ("postal-address-wanted", {"wants_post": "no"}),
    ],
    "eir": [
        ("full-name", {"full_name": "Sam Jones"}),
        ("email-address", {"email": "sam@example.com"}),
        ("postal-address", {"action": "save", "address-line1": "", "address-town": "", "address-postcode": ""}),
        ("request-description", {"description": "Air quality monitoring results for Ware High Street, 2024."}),
        ("topics", {"topics": ["air"]}),
    ],
    "sar": [
        ("who-for", {"who_for": "self"}),
        ("full-name", {"full_name": "Pat Smith"}),
        ("email-address", {"email": "pat@example.com"}),
        ("date-of-birth", {"date_of_birth-day": "3", "date_of_birth-month": "4", "date_of_birth-year": "1961"}),
        ("postal-address", {"action": "save", "address-line1": "1 High Street", "address-town": "Hertford",
                            "address-postcode": "sg13 8eq"}),
        ("phone", {"telephone": ""}),
        ("what-data", {"description": "All emails between me and the housing team."}),
        ("period", {"period": "2023 to now"}),
        ("identity", {"action": "continue", "identity-later": "yes"}),
    ],
    "complaint": [
        ("stage", {"stage": "1"}),
        ("full-name", {"full_name": "Alex Green"}),
        ("email-address", {"email": "alex@example.com"}),
        ("phone", {"telephone": "07700 900 982"}),
        ("service", {"service": "waste"}),
        ("when", {"incident_date-day": "", "incident_date-month": "", "incident_date-year": ""}),
        ("what-happened", {"description": "My bin was not collected for three weeks."}),
        ("outcome", {"outcome": "Collect it and apologise."}),
        ("evidence", {"action": "continue"}),
    ],
    "compliment": [
        ("full-name", {"full_name": "Jo Bloggs"}),
        ("email-address", {"email": "jo@example.com"}),
        ("who", {"who": "The library team in Ware"}),
        ("compliment", {"description": "Wonderful help finding local history records."}),
    ],
    "enquiry": [
        ("full-name", {"full_name": "Chris Lee"}),
        ("email-address", {"email": "chris@example.com"}),
        ("topic", {"topic": "parking"}),
        ("question", {"description": "When do resident permits renew?"}),
    ],
}


def csrf_from(html: str) -> str:
    token = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})
    return token["value"] if token else ""


def post(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """GET the page (or page_url) for its CSRF token, then POST the answers to url."""
    page = client.raw.get(page_url or url)
    assert page.status_code == 200, f"GET {url}: {page.status_code}"
    check_page(page.get_data(as_text=True))
    return client.raw.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data}, **kwargs)


def answer(client, form_id: str, page_id: str, data: dict):
    response = post(client, f"/request/{form_id}/{page_id}", data)
    assert response.status_code == 302, f"{page_id}: {response.status_code} {errors_in(response)}"
    return response.headers["Location"]


def errors_in(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [li.get_text(strip=True) for li in soup.select(".govuk-error-summary__list li")]


def fill(client, form_id: str, upto: str | None = None) -> str:
    """Answer every page of the happy path; returns where the last answer led."""
    location = ""
    steps = HAPPY_PATHS[form_id]
    for index, (page_id, data) in enumerate(steps):
        if page_id == upto:
            break
        location = answer(client, form_id, page_id, data)
        # The routing must lead exactly where the person goes next.
        expected = steps[index + 1][0] if index + 1 < len(steps) else "check-answers"
        assert location.endswith(f"/request/{form_id}/{expected}"), f"{page_id} led to {location}, not {expected}"
    return location


def code_from(mailer) -> str:
    return CODE.search(mailer.sent[-1].body).group(1)


def submit(client, form_id: str, mailer) -> str:
    """Fill, check answers, confirm the email code; returns the confirmation page's HTML."""
    fill(client, form_id)
    post(client, f"/request/{form_id}/check-answers", {})
    response = post(client, f"/request/{form_id}/confirm-email", {"code": code_from(mailer)})
    assert response.status_code == 302, errors_in(response)
    confirmation = client.raw.get(response.headers["Location"])
    assert confirmation.status_code == 200
    return confirmation.get_data(as_text=True)
