"""Files uploaded to the request (proof of identity, evidence), or "I'll send it later".

Not fully uniform with the other types, because a file page is a small workflow of its own rather than
one answer checked once: each upload is saved as it arrives (typed by content and virus scanned by the
upload pipeline in portal/uploads.py, counted against the whole draft's total), a file can be removed,
and the page shows the list of files added above its form. So it handles its own POST, its answer is a
dict ({files: [...], later: bool}) that the submission turns into SubmissionFile rows and payload
attachments (`files`), and its `maps_to` value is the file ids, not the files.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar, Literal

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.orm import object_session

from capture.questions.base import PageOutcome, PostContext, Question
from capture.texts import Text
from portal.db import delete_after_commit


class FileQuestion(Question):
    type: Literal["file"]
    multiple: bool = False
    """The person may add several files."""
    allow_later: Text = Text("")
    """The text of an "I'll send it later" choice; none if empty."""
    later_warning: Text = Text("")
    """What sending later means, shown under that choice (for example, for the statutory clock)."""
    max_files: int = Field(10, ge=1, le=50)
    """The most files the question takes (each POST is refused whole when it would go over)."""
    later_waits: Literal["", "awaiting_identity", "awaiting_fee"] = ""
    """Sending later holds the clock: no due date until the file arrives (capture/deadlines.py WAITING)."""

    template: ClassVar[str] = "capture/questions/file.html"
    payload_type: ClassVar[str] = "object"

    def lines(self, value) -> list[str]:
        from portal.formatting import human_size

        lines = [f"{f['filename']} ({f['extension'].upper()}, {human_size(f['size'])})" for f in value["files"]]
        if value.get("later"):
            lines.append(self.allow_later or _("I will send it later"))
        return lines or ["No files"]

    def payload_value(self, value):
        return {"file_ids": [f["file_id"] for f in value["files"]], "later": value.get("later", False)}

    def files(self, value) -> list[dict]:
        return value["files"]

    def handle_post(self, ctx: PostContext) -> PageOutcome:
        current = ctx.draft.answers.get(self.id) or {"files": [], "later": False}
        action = ctx.request.form.get("action", "continue")
        if action.startswith("remove:"):
            return self._remove(ctx, current, action.removeprefix("remove:"))
        chosen = [f for f in ctx.request.files.getlist(self.id) if f and f.filename]
        if action == "upload" or chosen:
            return self._upload(ctx, current, chosen)
        later = bool(self.allow_later) and ctx.request.form.get(f"{self.id}-later") == "yes"
        if self.required and not current["files"] and not later:
            message = (_("Select a file, or choose '%(later)s'", later=self.allow_later) if self.allow_later
                       else _("Select a file"))
            return PageOutcome({}, {self.id: self.error("required", message)})
        ctx.save({**current, "later": later})
        return PageOutcome({}, {}, redirect_to_next=True)

    def _remove(self, ctx: PostContext, current: dict, file_id: str) -> PageOutcome:
        kept = [f for f in current["files"] if f["file_id"] != file_id]
        for gone in (f for f in current["files"] if f["file_id"] == file_id):
            delete_after_commit(object_session(ctx.draft), ctx.services.store, gone["store_key"])
        ctx.save({**current, "files": kept} if kept or current["later"] else None)
        return PageOutcome({}, {}, redirect_same=True)

    def _upload(self, ctx: PostContext, current: dict, chosen: list) -> PageOutcome:
        from portal.uploads import UploadRejected, accept_upload

        if not chosen:
            return PageOutcome({}, {self.id: _("Select a file")})
        if not self.multiple:
            chosen = chosen[:1]
        elif len(current["files"]) + len(chosen) > self.max_files:
            room = self.max_files - len(current["files"])
            added = len(current["files"])
            if not room:
                message = _("You can add up to %(max)d files. Remove one to add another", max=self.max_files)
            elif added:
                message = _("You can add up to %(max)d files. You've already added %(added)d, so you can add %(room)d "
                            "more. Select %(room)d or fewer", max=self.max_files, added=added, room=room)
            else:
                message = _("You can add up to %(max)d files. Select %(room)d or fewer", max=self.max_files, room=room)
            return PageOutcome({}, {self.id: message})
        files = list(current["files"])
        before = sum(f["size"] for f in _all_files(ctx.draft))
        for upload in chosen:
            total = before + sum(f["size"] for f in files[len(current["files"]):])  # this POST's files count too
            try:
                accepted = accept_upload(upload.stream, upload.filename, draft_id=ctx.draft.id, already_total=total,
                                         max_file=ctx.settings.upload_max_file, max_total=ctx.settings.upload_max_total,
                                         store=ctx.services.store, scanner=ctx.services.scanner)
            except UploadRejected as rejected:
                if files != current["files"]:  # keep the files of this upload that were accepted
                    ctx.save({**current, "files": files})
                return PageOutcome({}, {self.id: str(rejected)})
            files = [*files, dataclasses.asdict(accepted)]
            if not self.multiple:
                for old in current["files"]:
                    delete_after_commit(object_session(ctx.draft), ctx.services.store, old["store_key"])
                files = [dataclasses.asdict(accepted)]
        ctx.save({**current, "files": files})
        return PageOutcome({}, {}, redirect_same=True)


def _all_files(draft) -> list[dict]:
    return [f for value in draft.answers.values() if isinstance(value, dict) and "files" in value for f in value["files"]]
