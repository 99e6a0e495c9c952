"""Email alert pages (disclosure_log/alerts.py): sign up for a search, check your email, confirm, unsubscribe.

Routes on the Disclosure Log's blueprint, registered when disclosure_log.feature imports this module.
"""
from __future__ import annotations

from flask import redirect, render_template, request, session as cookie, url_for

from disclosure_log import alert_schedule, alerts
from disclosure_log.alert_search import AlertSearch
from disclosure_log.models import Alert
from disclosure_log.views import bp
from portal.current import now as _now, settings as _settings
from portal.db import session as db_session
from portal.formatting import masked_email
from portal.i18n import current_language
from portal.jobs import send_after_commit
from portal.security import limiter, token_is_the_authority

SENT = "disclosure_alert_sent"  # the address the confirmation went to, masked, for "Check your email"
DONE = "disclosure_alert_done"  # the alert just confirmed (its id, never shown) and how


def _with_query(address: str, query_string: str) -> str:
    """An address from url_for (which may hold ?lang= already) with a search's query string ("?q=...") added."""
    if not query_string or "?" not in address:
        return address + query_string
    return address + "&" + query_string[1:]


@bp.app_template_global()
def alert_signup_url(form) -> str:
    """The sign-up page for the search a search page shows (its words and filters, not its sort or page)."""
    return _with_query(url_for("disclosure_log.alert_new"), AlertSearch.from_form(form).query_string())


@bp.app_template_global()
def alert_search_url(wanted: AlertSearch) -> str:
    """The search page of an alert's search, in the page's language."""
    return _with_query(url_for("disclosure_log.search"), wanted.query_string())


@bp.app_template_global()
def alert_new_url(wanted: AlertSearch) -> str:
    """Where the sign-up form is sent: the same page, with the same search."""
    return _with_query(url_for("disclosure_log.alert_new"), wanted.query_string())


@bp.app_context_processor
def _alert_words():
    return {"alert_frequencies": alerts.FREQUENCIES, "alert_how_often": alert_schedule.how_often}


@bp.route("/disclosure-log/email-alerts/new", methods=["GET", "POST"])
@limiter.limit("100 per hour", methods=["POST"])  # flood guard: alerts.sign_up limits the emails per address
def alert_new():
    wanted = AlertSearch.from_args(request.args)
    typed, errors = {"email": "", "frequency": ""}, {}
    if request.method == "POST":
        typed, errors = alerts.check_form(request.form)
        if not errors:
            try:
                email_id = alerts.sign_up(db_session(), email=typed["email"], frequency=typed["frequency"],
                                          wanted=wanted, now=_now(), settings=_settings(),
                                          language=current_language())
            except alerts.TooManyConfirmations as exc:
                errors["email"] = str(exc)
            else:
                db_session().commit()  # the alert and its confirmation email together
                send_after_commit(email_id)
                cookie[SENT] = masked_email(typed["email"])
                return redirect(url_for(".alert_sent"))
    return render_template("disclosure_log/alerts/new.html", wanted=wanted, typed=typed, errors=errors,
                           warning=wanted.in_the_past(_now().date())), 400 if errors else 200


@bp.get("/disclosure-log/email-alerts/check-your-email")
def alert_sent():
    if SENT not in cookie:
        return redirect(url_for(".search"))
    return render_template("disclosure_log/alerts/check_email.html", email=cookie[SENT], days=alerts.PENDING_FOR.days)


def _link_invalid(what: str):
    return render_template("disclosure_log/alerts/link_invalid.html", what=what, days=alerts.PENDING_FOR.days), 404


@bp.route("/disclosure-log/email-alerts/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("100 per hour", methods=["POST"])
def alert_confirm(token):
    alert = alerts.from_confirm_link(db_session(), _settings().secret_key, token, _now())
    if alert is None:
        return _link_invalid("confirm")
    if request.method == "GET":  # a mail scanner opening the link changes nothing
        if alert.status == "active":
            return _confirmed_page(alert, "confirmed")
        return render_template("disclosure_log/alerts/confirm.html", alert=alert,
                               wanted=AlertSearch.from_stored(alert.search))
    done = alerts.confirm(db_session(), alert, _now())
    db_session().commit()
    if done.outcome == "gone":
        return _link_invalid("confirm")
    if done.alert is None:
        return render_template("disclosure_log/alerts/too_many.html", limit=alerts.MAX_ALERTS)
    cookie[DONE] = {"alert": done.alert.id, "outcome": done.outcome}
    return redirect(url_for(".alert_confirmed"))


@bp.get("/disclosure-log/email-alerts/confirmed")
def alert_confirmed():
    done = cookie.get(DONE) or {}
    alert = db_session().get(Alert, done["alert"]) if isinstance(done.get("alert"), int) else None
    if alert is None or alert.status != "active":
        return redirect(url_for(".search"))
    return _confirmed_page(alert, done.get("outcome", "confirmed"))


def _confirmed_page(alert, outcome: str):
    return render_template("disclosure_log/alerts/confirmed.html", alert=alert, outcome=outcome,
                           email=masked_email(alert.email), wanted=AlertSearch.from_stored(alert.search))


@bp.route("/disclosure-log/email-alerts/unsubscribe/<token>", methods=["GET", "POST"])
@token_is_the_authority  # RFC 8058: a mail service's one-click POST has no cookie or CSRF token; the link is the key
def alert_unsubscribe(token):
    genuine, alert = alerts.from_unsubscribe_link(db_session(), _settings().secret_key, token)
    if not genuine:
        return _link_invalid("unsubscribe")
    if request.method == "GET":  # the page asks; only its button (or a one-click POST) unsubscribes
        if alert is None:
            return render_template("disclosure_log/alerts/unsubscribed.html")
        return render_template("disclosure_log/alerts/unsubscribe.html", alert=alert,
                               wanted=AlertSearch.from_stored(alert.search))
    alerts.unsubscribe(db_session(), alert)
    db_session().commit()
    if request.form.get("List-Unsubscribe") == "One-Click":
        return render_template("disclosure_log/alerts/unsubscribed.html")  # a mail service reads the status only
    return redirect(url_for(".alert_unsubscribed"))


@bp.get("/disclosure-log/email-alerts/unsubscribed")
def alert_unsubscribed():
    return render_template("disclosure_log/alerts/unsubscribed.html")
