"""Operators list and show submissions from the command line."""
import pytest

from tests.capture_helpers import submit


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def test_list_and_show(app, client, services):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["capture", "list"]).output.strip() == "no submissions"
    submit(client, "enquiry", services.mailer)
    listed = runner.invoke(args=["capture", "list", "--state", "delivered"])
    reference = listed.output.split()[0]
    assert reference.startswith("ENQ-2026-") and "delivered" in listed.output and "case CASE-1" in listed.output
    assert runner.invoke(args=["capture", "list", "--state", "failed"]).output.strip() == "no submissions"
    shown = runner.invoke(args=["capture", "show", reference.lower()])
    assert shown.exit_code == 0
    assert f'"reference": "{reference}"' in shown.output and "When do resident permits renew?" in shown.output
    missing = runner.invoke(args=["capture", "show", "ENQ-2026-ZZZZ-Z"])
    assert missing.exit_code != 0 and "no submission" in missing.output
