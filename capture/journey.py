"""What a POST to a question page does, by question type: check, save, or explain what is wrong."""
from __future__ import annotations

import dataclasses
import datetime as dt

from capture import answers as checks
from capture import service
from capture.definitions import FormDefinition, Page
from portal.db import session as db_session
from portal.dates import LONDON
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode


@dataclasses.dataclass
class PageOutcome:
    values: dict
    errors: dict
    redirect_to_next: bool = False
    redirect_same: bool = False
    notice: str = ""
    manual: bool = False


def handle_question_post(form: FormDefinition, page: Page, draft, request, services, settings, now: dt.datetime) -> PageOutcome:
    if page.is_content:
        return PageOutcome({}, {}, redirect_to_next=True)
    question = page.question
    if question.type == "file":
        return _file_post(question, draft, request, services, settings, now)
    if question.type == "address":
        return _address_post(question, draft, request.form, services, now)
    checked = _check(question, request.form, now)
    if not checked.ok:
        return PageOutcome(checked.raw, checked.errors)
    service.save_answer(db_session(), draft, question.id, _answered(checked.value), now)
    return PageOutcome(checked.raw, {}, redirect_to_next=True)


def _answered(value):
    """An optional question left empty is still answered: "" is kept, so the journey moves on."""
    return "" if value is None else value


def _check(question, form, now: dt.datetime) -> checks.Checked:
    kind = question.type
    if kind == "date":
        return checks.check_date(question, form, now.astimezone(LONDON).date())
    if kind in {"radios", "yesno"}:
        return checks.check_choice(question, form)
    return {
        "name": checks.check_name, "email": checks.check_email, "telephone": checks.check_telephone,
        "text": checks.check_text, "checkboxes": checks.check_checkboxes,
    }[kind](question, form)


def _address_post(question, draft, form, services, now) -> PageOutcome:
    lookup_field = f"{question.id}-lookup"
    if form.get("action") == "find":
        typed = checks.clean_text(form.get(lookup_field))
        raw = {lookup_field: typed}
        if not typed:
            return PageOutcome(raw, {lookup_field: "Enter a postcode"})
        if not is_valid_uk_postcode(typed):
            return PageOutcome(raw, {lookup_field: "Enter a full UK postcode, like AA3 1AB"})
        try:
            found = services.postcodes.lookup(typed)
        except (PostcodeLookupUnavailable, InvalidPostcode):
            return PageOutcome({f"{question.id}-postcode": normalise_postcode(typed)}, {}, manual=True,
                               notice="We cannot look up your postcode at the moment. Enter your address below.")
        if found is None:
            return PageOutcome(raw, {lookup_field: "We could not find that postcode. Check it, or enter the address manually"})
        return PageOutcome({f"{question.id}-postcode": found.postcode, f"{question.id}-town": found.town,
                            f"{question.id}-county": found.area}, {}, manual=True,
                           notice=f"We found {found.postcode} in {found.town}. Check the town and enter the rest of your address.")
    checked = checks.check_address(question, form, is_valid_uk_postcode, normalise_postcode)
    if not checked.ok:
        return PageOutcome(checked.raw, checked.errors, manual=True)
    service.save_answer(db_session(), draft, question.id, _answered(checked.value), now)
    return PageOutcome(checked.raw, {}, redirect_to_next=True)


def _file_post(question, draft, request, services, settings, now) -> PageOutcome:
    from portal.uploads import UploadRejected, accept_upload

    current = draft.answers.get(question.id) or {"files": [], "later": False}
    action = request.form.get("action", "continue")
    session = db_session()
    if action.startswith("remove:"):
        file_id = action.removeprefix("remove:")
        kept = [f for f in current["files"] if f["file_id"] != file_id]
        for gone in (f for f in current["files"] if f["file_id"] == file_id):
            services.store.delete(gone["store_key"])
        remaining = {**current, "files": kept} if kept or current["later"] else None
        service.save_answer(session, draft, question.id, remaining, now)
        return PageOutcome({}, {}, redirect_same=True)
    chosen = [f for f in request.files.getlist(question.id) if f and f.filename]
    if action == "upload" or chosen:
        if not chosen:
            return PageOutcome({}, {question.id: "Select a file"})
        if not question.multiple:
            chosen = chosen[:1]
        files = list(current["files"])
        for upload in chosen:
            total = sum(f["size"] for f in _all_files(draft))
            try:
                accepted = accept_upload(upload.stream, upload.filename, draft_id=draft.id, already_total=total,
                                         max_file=settings.upload_max_file, max_total=settings.upload_max_total,
                                         store=services.store, scanner=services.scanner)
            except UploadRejected as rejected:
                if files != current["files"]:  # keep the files of this upload that were accepted
                    service.save_answer(session, draft, question.id, {**current, "files": files}, now)
                return PageOutcome({}, {question.id: str(rejected)})
            files = [*files, dataclasses.asdict(accepted)]
            if not question.multiple:
                for old in current["files"]:
                    services.store.delete(old["store_key"])
                files = [dataclasses.asdict(accepted)]
        service.save_answer(session, draft, question.id, {**current, "files": files}, now)
        return PageOutcome({}, {}, redirect_same=True)
    later = bool(question.allow_later) and request.form.get(f"{question.id}-later") == "yes"
    if question.required and not current["files"] and not later:
        message = "Select a file" + (f", or choose '{question.allow_later}'" if question.allow_later else "")
        return PageOutcome({}, {question.id: question.error("required", message)})
    service.save_answer(session, draft, question.id, {**current, "later": later}, now)
    return PageOutcome({}, {}, redirect_to_next=True)


def _all_files(draft) -> list[dict]:
    return [f for value in draft.answers.values() if isinstance(value, dict) and "files" in value for f in value["files"]]
