"""The GOV.UK footer for a body that is not the Crown.

govukFooter always wraps its copyright line in the Crown copyright link with the royal crest beside it; a council's
own copyright is plain text. The footer is rendered by the macro (so it stays GOV.UK Frontend's markup) and only
that one element is swapped.
"""
from __future__ import annotations

import re

from markupsafe import Markup

_CROWN_LINK = re.compile(r'<a\s+class="govuk-footer__link govuk-footer__copyright-logo"\s+href="[^"]*"\s*>\s*(.*?)\s*</a>',
                         re.DOTALL)


def own_copyright(footer: str) -> Markup:
    """The footer with its copyright line as text (class app-footer__copyright), without the crest or the link."""
    swapped, count = _CROWN_LINK.subn(r'<span class="app-footer__copyright">\1</span>', str(footer), count=1)
    if count != 1:
        raise ValueError("govukFooter's copyright link was not found: has GOV.UK Frontend's footer changed?")
    return Markup(swapped)
