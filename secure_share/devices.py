"""Which browser and device, in plain words ("Chrome on an Android phone"), from the User-Agent."""
from __future__ import annotations

import functools

from ua_parser import parse


@functools.lru_cache(maxsize=512)
def describe_device(user_agent: str) -> str:
    if not user_agent:
        return "An unknown browser"
    result = parse(user_agent[:500])
    browser = result.user_agent.family if result.user_agent else "An unknown browser"
    system = result.os.family if result.os and result.os.family != "Other" else ""
    if browser == "Other":
        browser = "An unknown browser"
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
