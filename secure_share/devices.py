"""Which browser and device, in plain words ("Chrome on an Android phone"), from the User-Agent.

The audit trail keeps the English words (the case system reads them); the requester's history page shows
them in the page's language (device_in_words).
"""
from __future__ import annotations

import functools

from flask_babel import gettext as _
from ua_parser import parse

from portal.i18n import N_

UNKNOWN = N_("An unknown browser")
# the devices describe_device names, marked for the catalogue
DEVICES = (N_("an iPad"), N_("an iPhone"), N_("an Android phone or tablet"), N_("a Mac"), N_("a Windows computer"),
           N_("a Linux computer"), N_("a Chromebook"))


@functools.lru_cache(maxsize=512)
def describe_device(user_agent: str) -> str:
    if not user_agent:
        return UNKNOWN
    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent else UNKNOWN
    system = result.os.family if result.os and result.os.family != "Other" else ""
    if browser == "Other":
        browser = UNKNOWN
    if not system:
        return browser
    device = ""
    if result.device and result.device.family == "iPad":
        device = "an iPad"
    elif system == "iOS":
        device = "an iPhone"
    elif system == "Android":
        device = "an Android phone or tablet"
    elif system == "Mac OS X":
        device = "a Mac"
    elif system.startswith("Windows"):
        device = "a Windows computer"
    elif system in {"Linux", "Ubuntu", "Fedora"}:
        device = "a Linux computer"
    elif system == "Chrome OS":
        device = "a Chromebook"
    return f"{browser} on {device}" if device else f"{browser} on {system}"


def device_in_words(description: str, language: str) -> str:
    """A description describe_device made, in `language`: the browser's and system's own names stay as they are."""
    if language == "en" or not description:
        return description
    browser, on, device = description.rpartition(" on ")
    if not on:
        return _(description) if description == UNKNOWN else description
    browser = _(browser) if browser == UNKNOWN else browser
    return _("%(browser)s on %(device)s", browser=browser, device=_(device) if device in DEVICES else device)
