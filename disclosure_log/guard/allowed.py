"""The body's own contact details, which its responses publish on purpose: never a finding.

Built from the settings that already say them (CONTACT_EMAIL, TELEPHONE, POSTAL_ADDRESS, IN_PERSON, MAIL_FROM)
and GUARD_ALLOW, the body's other addresses and numbers: a switchboard, a depot's postcode, a second mailbox.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Iterable

from disclosure_log.guard.contacts import EMAIL, PHONE, uk_number
from disclosure_log.guard.people import postcode_key

_ANY_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
_ITEM_SEPARATORS = re.compile(r"[;\n]")


@dataclasses.dataclass(frozen=True)
class Allowed:
    emails: frozenset[str] = frozenset()  # lower case
    phones: frozenset[str] = frozenset()  # national digits: "01992555555"
    postcodes: frozenset[str] = frozenset()  # no space, capitals: "SG138EQ"
    names: frozenset[str] = frozenset()  # lower case: who may be named as a file's author (the body)

    @classmethod
    def from_texts(cls, texts: Iterable[str], names: Iterable[str] = ()) -> "Allowed":
        """Every email address, UK phone number and postcode in the texts."""
        emails, phones, postcodes = set(), set(), set()
        for text in texts:
            emails.update(f"{m['local']}@{m['domain']}".lower() for m in EMAIL.finditer(text))
            phones.update(number[1] for m in PHONE.finditer(text) if (number := uk_number(m)))
            postcodes.update(postcode_key(m[0]) for m in _ANY_POSTCODE.finditer(text))
        return cls(frozenset(emails), frozenset(phones), frozenset(postcodes),
                   frozenset(name.strip().lower() for name in names if name.strip()))

    @classmethod
    def from_settings(cls, settings) -> "Allowed":
        """From portal.settings.Settings; ValueError names a GUARD_ALLOW item that is none of the three."""
        items = [item.strip() for item in _ITEM_SEPARATORS.split(settings.guard_allow) if item.strip()]
        for item in items:
            if cls.from_texts([item]) == cls():
                raise ValueError(f"GUARD_ALLOW: {item!r} holds no email address, UK phone number or postcode "
                                 "(separate items with ; or new lines)")
        return cls.from_texts([*items, settings.contact_email, settings.mail_from, settings.feedback_url,
                               settings.telephone, settings.postal_address, settings.in_person],
                              names=[settings.public_body_name])


def has_postcode(text: str) -> bool:
    """A full UK postcode anywhere, in any case: "sg13 8dq" in a search box."""
    return _ANY_POSTCODE.search(text) is not None
