"""Demo entries for `make run`: a few dozen plausible published responses, made once, from a fixed seed."""
from __future__ import annotations

import datetime as dt
import random

from disclosure_log import entries, service
from disclosure_log.models import Disclosure
from portal import current
from portal.db import get_db

COUNT = 60
TOPICS = {
    "Highways": ["pothole repairs", "gritting routes", "street lighting", "road resurfacing"],
    "Housing": ["temporary accommodation", "housing repairs", "the housing waiting list", "empty homes"],
    "Waste": ["fly-tipping", "garden waste collections", "recycling rates", "bulky waste"],
    "Parking": ["parking fines", "resident parking permits", "car park income"],
    "Finance": ["consultancy spending", "purchase card transactions", "business rates relief"],
    "Environment": ["air quality", "tree preservation orders", "flood defences"],
}
PLACES = ["Hertford", "Ware", "Bishop's Stortford", "Sawbridgeworth", "Buntingford"]
OUTCOMES = entries.OUTCOMES


def _fields(rng: random.Random, today: dt.date) -> tuple[str, entries.EntryFields]:
    category = rng.choice(list(TOPICS))
    topic, place = rng.choice(TOPICS[category]), rng.choice(PLACES)
    year = rng.choice([2022, 2023, 2024, 2025])
    outcome = rng.choices(OUTCOMES, weights=[6, 3, 1, 1])[0]
    received = today - dt.timedelta(days=rng.randint(30, 900))
    responded = received + dt.timedelta(days=rng.randint(10, 34))
    exemptions = () if outcome == OUTCOMES[0] else (rng.choice(
        ["s.40(2) personal information", "s.43 commercial interests", "s.21 reasonably accessible"]),)
    case_type = "EIR" if category in ("Environment", "Waste") else "FOI"
    response = (f"Thank you for your request about {topic} in {place}.\n\n"
                f"In {year} we recorded {rng.randint(20, 4000):,} cases and spent £{rng.randint(5, 900):,}k. "
                + ("Some information was withheld under " + exemptions[0] + "." if exemptions else
                   "All the information you asked for is included."))
    return f"{case_type}-DEMO-{rng.randint(1000, 9999)}", entries.EntryFields(
        title=f"{topic[0].upper() + topic[1:]} in {place}, {year}",
        request=f"Please tell me how much the council spent on {topic} in {place} in {year}, and how many cases there were.",
        response=response, case_type=case_type, category=category, department=rng.choice(["Place", "Resources", "Communities"]),
        outcome=outcome, exemptions=exemptions, received=received, responded=responded, published=responded,
        publish_at=None, internal_review="", ico_decision_url="")


def seed_demo_disclosures() -> list[str]:
    """A demo seeder (`flask seed-demo`): demo entries, made once."""
    services, now = current.services(), current.now()
    with get_db().sessionmaker() as session:
        if session.query(Disclosure.id).limit(1).first() is None:
            rng = random.Random(20261123)
            for _ in range(COUNT):
                reference, fields = _fields(rng, now.date())
                if service.get(session, reference) is None:
                    service.publish(session, services.store, services.scanner, reference=reference, fields=fields,
                                    incoming=[], override_reason="", change_note="", actor="demo data", now=now,
                                    create_only=True)
                    session.flush()
            session.commit()
        from disclosure_log.current import get_index
        from disclosure_log.jobs import sync_all

        sync_all(get_db().sessionmaker, get_index())
        total = session.query(Disclosure.id).count()
    return [f"Disclosure Log: {total} published responses at {current.settings().base_url}/disclosure-log"]
