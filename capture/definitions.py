"""Form definitions: each case type's form is a YAML file in capture/forms/, loaded and checked here.

Adding or changing a case type is editing a file: pages, questions, validation, routing,
the statutory clock and how each answer maps into the Create Case payload.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from capture import deadlines

FORMS_DIR = Path(__file__).resolve().parent / "forms"
QUESTION_TYPES = {"name", "email", "telephone", "address", "text", "date", "radios", "checkboxes", "yesno", "file"}
PAGE_ID = re.compile(r"^[a-z][a-z0-9-]{0,40}$")
CHECK_ANSWERS = "check-answers"


class DefinitionError(ValueError):
    """A form definition file is not valid: raised at start-up, never at request time."""


@dataclasses.dataclass(frozen=True)
class Option:
    value: str
    text: str
    hint: str = ""


@dataclasses.dataclass(frozen=True)
class Route:
    goto: str
    question: str | None = None
    equals: str | None = None  # radios / yes-no answer
    includes: str | None = None  # a checkbox among those ticked

    def matches(self, answers: dict) -> bool:
        if self.question is None:
            return True
        answer = answers.get(self.question)
        if self.equals is not None:
            return answer == self.equals
        if self.includes is not None:
            return isinstance(answer, list) and self.includes in answer
        return False


@dataclasses.dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    summary_label: str = ""
    maps_to: str = ""
    max_length: int = 0
    options: tuple[Option, ...] = ()
    errors: dict = dataclasses.field(default_factory=dict)
    multiple: bool = False  # file: several files
    allow_later: str = ""  # file: text of the "I'll send it later" choice
    later_warning: str = ""  # file: what sending later means (e.g. for the statutory clock)
    date_constraint: str = ""  # date: "past" or "future"
    autocomplete: str = ""
    width: str = ""

    @property
    def summary(self) -> str:
        return self.summary_label or self.label

    def error(self, kind: str, default: str) -> str:
        return self.errors.get(kind, default)


@dataclasses.dataclass(frozen=True)
class Page:
    id: str
    question: Question | None = None
    heading: str = ""  # content pages
    body: tuple[str, ...] = ()
    actions: tuple[dict, ...] = ()  # content pages: [{text, href | goto | form}]
    routes: tuple[Route, ...] = ()
    related_search: bool = False  # show published answers like this one (Disclosure Log)

    @property
    def is_content(self) -> bool:
        return self.question is None

    @property
    def title(self) -> str:
        return self.question.label if self.question else self.heading


@dataclasses.dataclass(frozen=True)
class FormDefinition:
    id: str
    case_type: str
    reference_prefix: str
    name: str  # "Freedom of Information request"
    title: str  # start page h1
    summary: str  # one line for the list of forms
    start_body: tuple[str, ...]
    clock: Any
    email_question: str
    pages: tuple[Page, ...]
    confirmation_next_steps: tuple[str, ...] = ()
    acknowledgement_intro: str = ""
    order: int = 100

    @functools.cached_property
    def page_index(self) -> dict[str, Page]:
        return {page.id: page for page in self.pages}

    @functools.cached_property
    def questions(self) -> dict[str, Question]:
        return {p.question.id: p.question for p in self.pages if p.question}

    @functools.cached_property
    def related_page(self) -> Page | None:
        """The page whose answer is matched against published responses ("Before you ask")."""
        return next((p for p in self.pages if p.related_search), None)

    def page_of(self, question_id: str) -> Page:
        return next(p for p in self.pages if p.question and p.question.id == question_id)

    def page(self, page_id: str) -> Page | None:
        return self.page_index.get(page_id)

    def next_page_id(self, page: Page, answers: dict) -> str:
        for route in page.routes:
            if route.matches(answers):
                return route.goto
        position = self.pages.index(page)
        return self.pages[position + 1].id if position + 1 < len(self.pages) else CHECK_ANSWERS

    def path(self, answers: dict) -> list[Page]:
        """The pages this user's answers lead through, in order, up to the first unanswered question."""
        visited: list[Page] = []
        page = self.pages[0]
        while page is not None and page not in visited:
            visited.append(page)
            if page.question and page.question.id not in answers:
                break
            following = self.next_page_id(page, answers)
            if following == CHECK_ANSWERS:
                break
            page = self.page(following)
        return visited

    def first_unanswered(self, answers: dict) -> Page | None:
        for page in self.path(answers):
            if page.question and page.question.id not in answers:
                return page
        return None

    def answered_on_path(self, answers: dict) -> list[tuple[Page, Any]]:
        return [(p, answers[p.question.id]) for p in self.path(answers) if p.question and p.question.id in answers]


def _question(raw: dict, page_id: str) -> Question:
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        raise DefinitionError(f"page {page_id}: unknown question type {kind!r}")
    for option in raw.get("options", ()):
        if set(option) - {"value", "text", "hint"}:
            # e.g. an unquoted comma in {text: Bins, recycling} makes YAML cut the text short
            raise DefinitionError(f"page {page_id}: option keys {sorted(option)}: quote texts with commas")
    options = tuple(Option(str(o["value"]), o["text"], o.get("hint", "")) for o in raw.get("options", ()))
    if kind == "yesno" and not options:
        options = (Option("yes", "Yes"), Option("no", "No"))
    if kind in {"radios", "checkboxes"} and not options:
        raise DefinitionError(f"page {page_id}: {kind} needs options")
    fields = {f.name for f in dataclasses.fields(Question)}
    unknown = set(raw) - fields
    if unknown:
        raise DefinitionError(f"page {page_id}: unknown keys {sorted(unknown)}")
    values = {k: v for k, v in raw.items() if k != "options"}
    values.setdefault("id", page_id.replace("-", "_"))
    return Question(**values, options=options)


def _page(raw: dict) -> Page:
    page_id = raw.get("id", "")
    if not PAGE_ID.match(page_id) or page_id == CHECK_ANSWERS:
        raise DefinitionError(f"bad page id {page_id!r}")
    routes = tuple(
        Route(goto=r["goto"], question=r.get("if", {}).get("question"), equals=r.get("if", {}).get("equals"),
              includes=r.get("if", {}).get("includes"))
        for r in raw.get("next", ())
    )
    question = _question(raw["question"], page_id) if "question" in raw else None
    if question is None and not raw.get("heading"):
        raise DefinitionError(f"page {page_id}: needs a question or a heading")
    return Page(id=page_id, question=question, heading=raw.get("heading", ""), body=tuple(raw.get("body", ())),
                actions=tuple(raw.get("actions", ())), routes=routes, related_search=raw.get("related_search", False))


def _check(form: FormDefinition) -> FormDefinition:
    ids = [p.id for p in form.pages]
    if len(ids) != len(set(ids)):
        raise DefinitionError(f"{form.id}: duplicate page ids")
    question_ids = [p.question.id for p in form.pages if p.question]
    if len(question_ids) != len(set(question_ids)):
        raise DefinitionError(f"{form.id}: duplicate question ids")
    for page in form.pages:
        if page.related_search and not (page.question and page.question.type == "text"):
            raise DefinitionError(f"{form.id}: page {page.id}: related_search needs a text question")
        for route in page.routes:
            if route.goto != CHECK_ANSWERS and route.goto not in form.page_index:
                raise DefinitionError(f"{form.id}: page {page.id} routes to unknown page {route.goto}")
            if route.question and route.question not in form.questions:
                raise DefinitionError(f"{form.id}: page {page.id} routes on unknown question {route.question}")
    try:
        deadlines.rule_from(form.clock)
    except ValueError as exc:
        raise DefinitionError(f"{form.id}: clock: {exc}") from None
    email = form.questions.get(form.email_question)
    if email is None or email.type != "email" or not email.required:
        raise DefinitionError(f"{form.id}: email_question must name a required email question")
    return form


def parse(raw: dict, form_id: str) -> FormDefinition:
    try:
        form = FormDefinition(
            id=form_id, case_type=raw["case_type"], reference_prefix=raw["reference_prefix"], name=raw["name"],
            title=raw["title"], summary=raw["summary"], start_body=tuple(raw.get("start", ())), clock=raw["clock"],
            email_question=raw.get("email_question", "email"), pages=tuple(_page(p) for p in raw["pages"]),
            confirmation_next_steps=tuple(raw.get("confirmation_next_steps", ())),
            acknowledgement_intro=raw.get("acknowledgement_intro", ""), order=raw.get("order", 100),
        )
    except KeyError as exc:
        raise DefinitionError(f"{form_id}: missing {exc}") from None
    return _check(form)


@functools.cache
def load_all(folder: Path = FORMS_DIR) -> dict[str, FormDefinition]:
    forms = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        forms[path.stem] = parse(raw, path.stem)
    return forms
