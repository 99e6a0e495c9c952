"""The public Disclosure Log: search, entry pages, withdrawn-entry notices and attachment downloads."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from disclosure_log import exports, nightly, search, service
from disclosure_log.api import api_bp  # the public JSON search (below) is an API route
from disclosure_log.current import get_index
from disclosure_log.query import FACETS
from portal import current
from portal.db import session as db_session
from portal.downloads import content_disposition, send_stored_file
from portal.errors import page as error_page
from portal.i18n import current_language, localised
from portal.security import limiter

bp = Blueprint("disclosure_log", __name__, template_folder="templates")

RELATED = 5
MAX_BACK = 8000  # characters of a search carried to an entry page for its back link


@bp.context_processor
def _labels():
    return {"facet_labels": search.FACET_LABELS, "facets": FACETS}


def search_url(form: search.SearchForm, endpoint: str = "disclosure_log.search", **changes) -> str:
    """The search's address; url_for already holds ?lang= while the visit is not in the default language."""
    base = url_for(endpoint)
    pairs = form.args(**changes)
    if not pairs:
        return base
    return base + ("&" if "?" in base else "?") + urlencode(pairs)


def entry_url(reference: str, form: search.SearchForm) -> str:
    """An entry's page, carrying the reader's search (when there is one) for its back link."""
    pairs = form.args()
    return url_for("disclosure_log.entry", reference=reference, search=urlencode(pairs) if pairs else None)


def back_to_search(carried: str | None) -> str | None:
    """The search an entry was reached from, rebuilt from the parameters a search has: only ever a link to this
    log's own search page, whatever was carried."""
    if not carried or len(carried) > MAX_BACK:
        return None
    try:
        pairs = parse_qsl(carried, max_num_fields=300)
    except ValueError:
        return None
    form = search.read_form(MultiDict(pairs))
    return search_url(form) if form.args() else None


def _export_refused(form: search.SearchForm):
    """A download or feed of a search whose dates are not real: said, rather than every entry sent."""
    return error_page(400, _("Check the dates in your search"), [message for _field, message in form.errors],
                      template="disclosure_log/export_error.html", search_href=search_url(form, page=1))


@bp.get("/disclosure-log", endpoint="search")
def search_page():
    form = search.read_form(request.args)
    typed_reference = search.as_reference(form.q)
    if typed_reference and not form.selected and not request.args.get("page"):
        try:  # a reference typed into the box: the entry itself, not a search for its letters
            found = service.public_entry(db_session(), typed_reference, current.now())
        except service.EntryWithdrawn as withdrawn:
            found = withdrawn.entry  # its page says it was withdrawn, and why
        except service.NotFound:
            found = None
        if found is not None:
            return redirect(url_for(".entry", reference=found.reference))
    page = search.run(db_session(), get_index(), form, current.now())
    if page.result.total == 0 and form.q:
        search.record_gap(db_session(), form.q, current.now().date())
        db_session().commit()
    return render_template("disclosure_log/search.html", page=page, search_form=form, search_url=search_url,
                           entry_url=entry_url, page_sizes=search.PAGE_SIZES,
                           notices=search.query_notices(request.args.get("q", "")))


@bp.get("/disclosure-log/<reference>")
def entry(reference: str):
    now = current.now()
    try:
        found = service.public_entry(db_session(), reference, now)
    except service.EntryWithdrawn as withdrawn:
        return render_template("disclosure_log/withdrawn.html", entry=withdrawn.entry), 410
    related = search.related(db_session(), get_index(), found, now, RELATED)
    return render_template("disclosure_log/entry.html", entry=found, related=related,
                           back_url=back_to_search(request.args.get("search")),
                           attachments=service.current_attachments(found),
                           replaced=[a for a in found.attachments if a.replaced_at is not None])


@bp.get("/disclosure-log/<reference>/files/<int:attachment_id>/<path:filename>")
def attachment(reference: str, attachment_id: int, filename: str):
    found = service.public_entry(db_session(), reference, current.now())
    chosen = next((a for a in service.current_attachments(found) if a.id == attachment_id), None)
    store = current.services().store
    if chosen is None or chosen.filename != filename or not store.exists(chosen.store_key):
        abort(404)
    return send_stored_file(store, chosen.store_key, size=chosen.size, etag=chosen.sha256,
                            content_type=chosen.content_type, filename=chosen.filename,
                            headers={"Cache-Control": "public, max-age=300"})


EXPORT_LIMIT = "20 per minute"  # a CSV of every entry is a big job: the nightly download is there for that
FEED_SIZE = 50
SITEMAP_SIZE = 50_000  # the sitemaps.org limit per file


def _export_request(form: search.SearchForm):
    from disclosure_log.query import SearchRequest, parse

    return SearchRequest(query=parse(form.q), filters=tuple((f, tuple(v)) for f, v in form.selected.items()),
                         published_from=form.published_from, published_to=form.published_to,
                         sort=form.sort, now=search.to_the_minute(current.now()))


def _snippet_json(excerpt: search.Excerpt) -> dict:
    return {"field": excerpt.field, "filename": excerpt.filename, "text": excerpt.text, "html": str(excerpt.html)}


@bp.get("/disclosure-log.json")
def search_json():
    form = search.read_form(request.args, json=True)
    page = search.run(db_session(), get_index(), form, current.now(), page_size=search.JSON_PAGE_SIZE)
    base = current.settings().base_url
    html_size = form.page_per_page or search.PAGE_SIZE  # the search page holding this page's first result
    links = {"html": base + search_url(form, per_page=form.page_per_page, page=(page.first - 1) // html_size + 1)}
    if page.page < page.pages:
        links["next"] = base + search_url(form, "disclosure_log.search_json", page=page.page + 1)
    if page.page > 1:
        links["previous"] = base + search_url(form, "disclosure_log.search_json", page=page.page - 1)
    as_typed = page.as_typed and {"q": page.as_typed.q, "total": page.as_typed.total}
    if as_typed:
        links["as_typed"] = base + search_url(form, "disclosure_log.search_json", q=as_typed["q"], page=1)
    return {
        "total": page.result.total, "page": page.page, "pages": page.pages, "per_page": page.page_size,
        "errors": [message for _field, message in form.errors],
        "facets": page.result.facets, "links": links, "as_typed": as_typed,
        "results": [{**exports.entry_json(hit.entry, base), "snippets": [_snippet_json(x) for x in hit.snippets]}
                    for hit in page.hits],
    }


api_bp.add_url_rule("/disclosures", endpoint="search", view_func=search_json, methods=["GET"])


@bp.get("/disclosure-log.atom")
def atom():
    form = search.read_form(request.args)
    if form.errors:
        return _export_refused(form)
    base = current.settings().base_url
    entries = list(exports.walk(db_session(), get_index(), _export_request(form), limit=FEED_SIZE))
    body_name = localised(current.settings()).public_body_name
    title = (_("%(body)s disclosure log: %(words)s", body=body_name, words=form.q) if form.q
             else _("%(body)s disclosure log", body=body_name))
    body = exports.atom(entries, feed_url=base + search_url(form, "disclosure_log.atom"), page_url=base + search_url(form),
                        base_url=base, body_name=body_name, title=title, now=current.now(), language=current_language())
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "public, max-age=300"})


@bp.get("/disclosure-log.csv")
@limiter.limit(EXPORT_LIMIT)
def csv_export():
    form = search.read_form(request.args)
    if form.errors:
        return _export_refused(form)
    rows = exports.csv_stream(exports.walk(db_session(), get_index(), _export_request(form)), current.settings().base_url)
    return Response(stream_with_context(rows), mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"disclosure-log-{current.now():%Y-%m-%d}.csv")})


@bp.get("/sitemap.xml")
def sitemap_index():
    last = service.last_entry_id(db_session())
    body = render_template("disclosure_log/sitemap_index.xml", parts=range(last // SITEMAP_SIZE + 1),
                           base_url=current.settings().base_url)
    return Response(body, mimetype="application/xml")


@bp.get("/disclosure-log/sitemap-<int:part>.xml")
def sitemap(part: int):
    low = part * SITEMAP_SIZE
    rows = service.public_references(db_session(), low, low + SITEMAP_SIZE, current.now())
    body = exports.sitemap(rows, current.settings().base_url)  # streamed: 50,000 entries are never held at once
    return Response(stream_with_context(body), mimetype="application/xml")


@bp.get("/disclosure-log/downloads")
def downloads():
    files = nightly.available(current.services().store)
    return render_template("disclosure_log/downloads.html", files=files)


@bp.get("/disclosure-log/downloads/<name>")
def download(name: str):
    found = {f.name: f for f in nightly.available(current.services().store)}.get(name)
    if found is None:
        abort(404)
    return send_stored_file(current.services().store, found.key, size=found.size, etag=found.sha256,
                            content_type=found.content_type, filename=found.name,
                            headers={"Cache-Control": "public, max-age=3600"})
