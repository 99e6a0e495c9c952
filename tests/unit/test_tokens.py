"""Signed tokens are accepted only exactly as issued (issue 12 item 4): padding, appended junk and the spare
low bits of a base64 character must not open a share, confirm an email or fetch a submitted file."""
from __future__ import annotations

import datetime as dt

import pytest
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode

from capture import delivery
from portal import tokens
from secure_share import links
from tests.share_helpers import make_share, pdf

SECRET = "token-test-secret-" + "s" * 32
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def same_bytes_other_text(token: str) -> list[str]:
    """Tokens that differ from `token` only in a part's last character but decode to the same bytes."""
    variants = []
    parts = token.split(".")
    for index, part in enumerate(parts):
        if not part:
            continue
        for char in ALPHABET:
            changed = part[:-1] + char
            if changed != part and base64_decode(changed) == base64_decode(part):
                variants.append(".".join(parts[:index] + [changed] + parts[index + 1:]))
    return variants


def altered(token: str) -> list[str]:
    return [token + suffix for suffix in ('"}', "==", "=", "!!")] + same_bytes_other_text(token)


def test_itsdangerous_alone_forgives_these_alterations():
    # Why portal/tokens.py exists: every one of these verifies with the serializer on its own.
    serializer = URLSafeTimedSerializer(SECRET, salt="any")
    token = serializer.dumps(["a share", 0])
    forgiven = [variant for variant in altered(token) if _verifies(serializer, variant)]
    assert len(forgiven) >= 4, forgiven


def _verifies(serializer, token) -> bool:
    try:
        serializer.loads(token, max_age=60)
        return True
    except Exception:
        return False


def test_a_share_link_works_only_as_issued():
    token = links.make_token(SECRET, "share-1", 3)
    assert links.read_token(SECRET, token, dt.timedelta(days=1)) == ("share-1", 3)
    variants = altered(token)
    assert len(variants) >= 5
    for variant in variants:
        assert links.read_token(SECRET, variant, dt.timedelta(days=1)) is None, variant


def test_a_signed_file_url_works_only_as_issued():
    token = delivery.file_token(SECRET, "FOI-2026-ABCD-E", "file-9")
    assert delivery.file_from_token(SECRET, token, dt.timedelta(days=7)) == ("FOI-2026-ABCD-E", "file-9")
    for variant in altered(token):
        assert delivery.file_from_token(SECRET, variant, dt.timedelta(days=7)) is None, variant


def test_an_email_confirmation_link_works_only_as_issued():
    from types import SimpleNamespace

    from capture import service

    token = service.link_token(SECRET, SimpleNamespace(draft_id="draft-1", id=7))
    assert tokens.loads(SECRET, service.LINK_SALT, token, max_age=60) == {"d": "draft-1", "c": 7}
    now = dt.datetime.now(dt.timezone.utc)
    for variant in altered(token):
        assert service.confirmation_from_link(None, SECRET, variant, now) is None, variant


@pytest.mark.parametrize("token", ["", ".", "a.b", "a.b.c.d", "a b.c.d", "é.b.c"])
def test_malformed_tokens_are_not_canonical(token):
    assert not tokens.is_canonical(token)


def test_an_altered_share_link_gets_the_link_does_not_work_page(app, client, services):
    share = make_share(app, services, [("Letter.pdf", pdf(2000))])
    assert client.raw.get(share.url).status_code == 200
    for variant in altered(share.token):
        response = client.raw.get(f"/documents/{variant}")
        assert response.status_code == 404, variant
        assert "This link does not work" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["0..", "0.a.b", ".0..", "A.B.C", "0.0.0"])
def test_a_token_whose_parts_are_not_base64_is_refused_not_an_error(token):
    """"0.." was a 500 on the tracking page: itsdangerous raises BadData, not BadSignature, for such a part."""
    from itsdangerous import BadData

    from portal import tokens

    with pytest.raises(BadData):  # NotCanonical and BadSignature are both BadData: what every caller catches
        tokens.loads("secret", "salt", token, max_age=60)
