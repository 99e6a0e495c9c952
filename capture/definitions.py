"""Form definitions: each case type's form is a YAML file in capture/forms/, loaded and checked here.

Adding or changing a case type is editing a file: pages, questions, validation, routing,
the statutory clock and how each answer maps into the Create Case payload. The files are checked
against these pydantic models when the app is created (capture/feature.py), so a broken file stops
start-up with its name and the field at fault; capture/forms/form.schema.json is the same models as
a JSON Schema, for form authors' editors (`flask capture form-schema` writes it).

English and Welsh: every text a person reads is a plain string (English) or `{en: ..., cy: ..., review: ...}`,
the Welsh beside its English (capture/texts.py says how, and how a page reads them). A form with
`languages: [en, cy]` is offered in Welsh and must then have Welsh for every text, or it does not load.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, Field, PrivateAttr, ValidationError, model_validator

from capture import deadlines, payload_paths
from capture.questions import QUESTION_TYPES, AnyQuestion, Question
from capture.questions.base import DefinitionModel
from capture.texts import TEXT_JSON_SCHEMA, Text, problems_of

FORMS_DIR = Path(__file__).resolve().parent / "forms"
SCHEMA_FILE = FORMS_DIR / "form.schema.json"
PAGE_ID = r"^[a-z][a-z0-9-]{0,40}$"
CHECK_ANSWERS = "check-answers"
# Page ids that the journey's own pages take (/request/<form>/<id>): a form page there would be hidden.
RESERVED_FORM_IDS = {"track", "resume", "confirm"}  # /request/<these>/... are the journey's own pages
RESERVED_PAGE_IDS = {CHECK_ANSWERS, "confirm-email", "confirmation", "keep-alive", "save", "saved"}


class DefinitionError(ValueError):
    """A form definition file is not valid: raised at start-up, never at request time."""


def _exactly_one(model, names: tuple[str, ...], what: str):
    given = [name for name in names if getattr(model, name)]
    if len(given) != 1:
        raise ValueError(f"{what} needs exactly one of {', '.join(names)}")
    return model


class Condition(DefinitionModel):
    question: str = ""
    """The id of an earlier question."""
    setting: Literal["sar_identity"] | None = None
    """Or one of the body's settings (read from the running app; its default outside one)."""
    equals: str | None = None
    """Its answer (radios, yes-no), or the setting, is this value."""
    includes: str | None = None
    """This value is among the boxes ticked (checkboxes)."""

    @model_validator(mode="after")
    def _one_test(self):
        _exactly_one(self, ("question", "setting"), "a condition")
        if self.setting and self.includes is not None:
            raise ValueError("a setting condition tests equals")
        return _exactly_one(self, ("equals", "includes"), "a condition")


def _setting(name: str) -> str:
    from flask import current_app, has_app_context

    from portal.settings import Settings

    settings = current_app.config["PORTAL_SETTINGS"] if has_app_context() else Settings()
    return getattr(settings, name)


class Route(DefinitionModel):
    when: Condition | None = Field(None, alias="if")
    """Go there only if this holds; the first route that holds is taken."""
    goto: str
    """A page id, or check-answers."""

    def matches(self, answers: dict) -> bool:
        if self.when is None:
            return True
        if self.when.setting:
            return _setting(self.when.setting) == self.when.equals
        answer = answers.get(self.when.question)
        if self.when.equals is not None:
            return answer == self.when.equals
        return isinstance(answer, list) and self.when.includes in answer


class Action(DefinitionModel):
    """A button or link on a content page (the first is a button)."""

    text: Text
    href: str = ""
    """An address."""
    goto: str = ""
    """A page of this form."""
    form: str = ""
    """The start of another form, by its file name."""

    @model_validator(mode="after")
    def _one_target(self):
        return _exactly_one(self, ("href", "goto", "form"), "an action")


class Page(DefinitionModel):
    """One page: a question, or content (a heading, paragraphs and actions)."""

    id: str = Field(pattern=PAGE_ID)
    """The page's address, like full-name."""
    question: AnyQuestion | None = None
    heading: Text = Text("")
    """A content page's heading."""
    body: tuple[Text, ...] = ()
    """A content page's paragraphs."""
    actions: tuple[Action, ...] = ()
    routes: tuple[Route, ...] = Field((), alias="next")
    """Where to go after this page; without a route that holds, the next page in the file."""
    related_search: bool = False
    """Show published answers like this one (the Disclosure Log) before the next question."""

    @model_validator(mode="before")
    @classmethod
    def _question_id_from_page_id(cls, data: Any) -> Any:
        question = data.get("question") if isinstance(data, dict) else None
        if isinstance(question, dict) and "id" not in question and isinstance(data.get("id"), str):
            return {**data, "question": {**question, "id": data["id"].replace("-", "_")}}
        return data

    @model_validator(mode="after")
    def _page_rules(self):
        if self.id in RESERVED_PAGE_IDS:
            raise ValueError(f"page id {self.id} is taken by the journey's own page of that name")
        if self.question is None and not self.heading:
            raise ValueError("a page needs a question or a heading")
        return self

    @property
    def is_content(self) -> bool:
        return self.question is None

    @property
    def title(self) -> str:
        return self.question.label if self.question else self.heading


class ClockRule(DefinitionModel):
    """A due date rule of the public body's own: exactly one amount, and where it comes from."""

    working_days: Annotated[int, Field(strict=True)] | None = None
    calendar_days: Annotated[int, Field(strict=True)] | None = None
    calendar_months: Annotated[int, Field(strict=True)] | None = None
    basis: str = ""
    """The law or policy, in words: "our complaints policy"."""


def _due_date_rule(spec: str | ClockRule) -> deadlines.DueDateRule:
    return deadlines.rule_from(spec if isinstance(spec, str) else spec.model_dump(exclude_none=True))


class FormDefinition(DefinitionModel):
    """A Capture form: one YAML file in capture/forms/, its id the file's name."""

    case_type: str
    """The case system's case type, like FOI."""
    reference_prefix: str = Field(pattern=r"^[A-Z]{2,4}$")
    """2 to 4 capital letters starting each reference, like FOI (the Create Case schema's pattern)."""
    order: int = 100
    """Its place in the list of forms."""
    languages: tuple[Literal["en", "cy"], ...] = ("en",)
    """The languages the form is offered in: [en, cy] when every text has its Welsh (checked when it loads)."""
    name: Text
    """What it is called, capitalised as a heading: "Freedom of Information request", "Complaint"."""
    name_in_sentence: Text = Text("")
    """Mid-sentence, if not the name with a small first letter: "Freedom of Information request" keeps
    the capitals of the Act's name ("your Freedom of Information request"), "Complaint" is "complaint".
    In Welsh, the name as it follows "eich" (your), which mutates nothing: "cais Rhyddid Gwybodaeth"."""
    title: Text
    """The start page's heading."""
    summary: Text
    """One line for the list of forms."""
    clock: Annotated[Literal[tuple(deadlines.STATUTORY_RULES)] | ClockRule, AfterValidator(_due_date_rule)]
    """The statutory clock: foi, eir or sar, or a rule like {working_days: 10, basis: our policy}."""
    email_question: str = "email"
    """The id of the required email question the confirmation code and acknowledgement go to."""
    start_body: tuple[Text, ...] = Field((), alias="start")
    """The start page's paragraphs."""
    confirmation_next_steps: tuple[Text, ...] = ()
    """The confirmation page's paragraphs: what happens next."""
    acknowledgement_intro: Text = Text("")
    """The acknowledgement email's first paragraph after the thanks."""
    acknowledgement_rights: tuple[Text, ...] = ()
    """What may happen next and what the person can do, for the acknowledgement email: clarification,
    fees, internal review, the Information Commissioner."""
    pages: tuple[Page, ...] = Field(min_length=1)

    _id: str = PrivateAttr("")

    @property
    def id(self) -> str:
        return self._id

    @property
    def sentence_name(self) -> str:
        return self.name_in_sentence or self.name[:1].lower() + self.name[1:]

    def offered_in(self, language: str) -> bool:
        """Whether the form has its texts in this language (`languages`); a Welsh page of a form that is not
        reads its English."""
        return language in self.languages

    @model_validator(mode="after")
    def _cross_references(self):
        problems = _problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @functools.cached_property
    def page_index(self) -> dict[str, Page]:
        return {page.id: page for page in self.pages}

    @functools.cached_property
    def page_positions(self) -> dict[int, int]:
        """Each page's place in the file, by identity (pages.index would compare every text of the pages before)."""
        return {id(page): n for n, page in enumerate(self.pages)}

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
        position = self.page_positions[id(page)]
        return self.pages[position + 1].id if position + 1 < len(self.pages) else CHECK_ANSWERS

    def path(self, answers: dict) -> list[Page]:
        """The pages this user's answers lead through, in order, up to the first unanswered question."""
        visited: list[Page] = []
        seen: set[int] = set()  # by identity: comparing pages by value compares every text in them
        page = self.pages[0]
        while page is not None and id(page) not in seen:
            visited.append(page)
            seen.add(id(page))
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

    def clock_status(self, answers: dict) -> str:
        """"running", or what the clock waits for before it starts (deadlines.WAITING): a file to follow."""
        for page, value in self.answered_on_path(answers):
            waits = getattr(page.question, "later_waits", "")
            if waits and isinstance(value, dict) and value.get("later"):
                return waits
        return "running"


def _problems(form: FormDefinition) -> list[str]:
    """What the models alone cannot see: ids that must be unique, and names that must point somewhere."""
    problems = []
    page_ids = [p.id for p in form.pages]
    problems += [f"pages: page id {i} is used twice" for i in sorted({i for i in page_ids if page_ids.count(i) > 1})]
    question_ids = [p.question.id for p in form.pages if p.question]
    problems += [f"pages: question id {i} is used twice"
                 for i in sorted({i for i in question_ids if question_ids.count(i) > 1})]
    questions = {p.question.id: p.question for p in form.pages if p.question}
    for n, page in enumerate(form.pages):
        where = f"pages.{n} ({page.id})"
        if page.related_search and not (page.question and page.question.free_text):
            problems.append(f"{where}.related_search: related_search needs a text question")
        for r, route in enumerate(page.routes):
            if route.goto != CHECK_ANSWERS and route.goto not in page_ids:
                problems.append(f"{where}.next.{r}.goto: routes to unknown page {route.goto}")
            if route.when and route.when.question and route.when.question not in questions:
                problems.append(f"{where}.next.{r}.if.question: routes on unknown question {route.when.question}")
        for a, action in enumerate(page.actions):
            if action.goto and action.goto not in page_ids:
                problems.append(f"{where}.actions.{a}.goto: unknown page {action.goto}")
        if page.question and page.question.maps_to:
            problem = payload_paths.problem(page.question.maps_to, page.question.payload_type)
            if problem:
                problems.append(f"{where}.question.maps_to: {problem}")
    if "cy" in form.languages:
        problems += [f"{where}: no Welsh (give it as {{en: ..., cy: ...}}, or take cy out of languages)"
                     for where, text in form.texts() if not text.has_welsh]
        problems += [f"pages.{n} ({page.id}).question.errors.{kind}: a form offered in Welsh words this message itself, "
                     "as {en: ..., cy: ...} (its default puts the summary label in a sentence, which Welsh would mutate)"
                     for n, page in enumerate(form.pages) if page.question
                     for kind in sorted(page.question.worded_by_label() - set(page.question.errors))]
    problems += [f"{where}: {problem}" for where, text in form.texts() for problem in problems_of(text)]
    email = questions.get(form.email_question)
    if email is None or email.type != "email" or not email.required:
        problems.append(f"email_question: {form.email_question} is not a required email question of this form")
    return problems


def _located(error: dict, raw: Any) -> str:
    """"pages.3 (full-name).question.summry_label: Extra inputs are not permitted", from a pydantic error."""
    parts: list[str] = []
    loc = list(error["loc"])
    for n, key in enumerate(loc):
        if n and loc[n - 1] == "question" and key in QUESTION_TYPES:
            continue  # the type pydantic chose the question's model by: already in the file
        parts.append(str(key))
        if loc[:n] == ["pages"] and isinstance(key, int) and isinstance(raw, dict):
            page = (raw.get("pages") or [None] * (key + 1))[key]
            if isinstance(page, dict) and isinstance(page.get("id"), str):
                parts[-1] += f" ({page['id']})"
    message = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    if error["type"] == "extra_forbidden":
        message = "unknown key (not a key of this part of a form file; see capture/forms/form.schema.json)"
    elif error["type"] == "missing":
        message = "missing"
    elif error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        kind = given.get("type") if isinstance(given, dict) else None
        message = (f"unknown question type {kind!r}" if kind else "a question needs a type") + \
            f": one of {', '.join(QUESTION_TYPES)}"
    elif isinstance(given, (str, int, float, bool)) and not error["type"].startswith("value_error"):
        message += f" (not {given!r})"
    return f"{'.'.join(parts)}: {message}" if parts else message


def parse(raw: Any, form_id: str, source: str | None = None) -> FormDefinition:
    """The form in `raw` (a form file's YAML), or a DefinitionError naming the file and every problem."""
    source = source or form_id
    if not isinstance(raw, dict):
        raise DefinitionError(f"{source}: a form file is a mapping of keys (case_type, name, pages...)")
    try:
        form = FormDefinition.model_validate(raw)
    except ValidationError as exc:
        lines = [line for error in exc.errors() for line in _located(error, raw).split("\n")]
        raise DefinitionError(f"{source} is not a valid form definition:\n  " + "\n  ".join(lines)) from None
    form._id = form_id
    return form


def _display(path: Path) -> str:
    root = FORMS_DIR.parent.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def load_all(folder: Path | None = None) -> dict[str, FormDefinition]:
    """Every form in the folder (capture/forms/ unless told), by id; checked once, then kept."""
    return _load_folder(Path(folder or FORMS_DIR).resolve())


@functools.cache
def _load_folder(folder: Path) -> dict[str, FormDefinition]:
    forms = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.stem in RESERVED_FORM_IDS:
            raise DefinitionError(f"{_display(path)}: {path.stem} is the address of one of the portal's own pages "
                                  f"(/request/{path.stem}): rename the file")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{_display(path)} is not valid YAML: {exc}") from None
        forms[path.stem] = parse(raw, path.stem, _display(path))
    for form in forms.values():
        for n, page in enumerate(form.pages):
            for a, action in enumerate(page.actions):
                if action.form and action.form not in forms:
                    raise DefinitionError(f"{_display(folder / (form.id + '.yaml'))} is not a valid form definition:\n"
                                          f"  pages.{n} ({page.id}).actions.{a}.form: there is no form {action.form}")
    return forms


def json_schema() -> dict:
    """The JSON Schema of a form file, for editors (written to capture/forms/form.schema.json)."""
    schema = _text_by_reference(FormDefinition.model_json_schema())
    schema.setdefault("$defs", {})["Text"] = TEXT_JSON_SCHEMA
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Capture form definition",
            **{k: v for k, v in schema.items() if k != "title"}}


def _text_by_reference(node):
    """Every text's schema (English, or {en, cy, review}) as a reference to one definition, not a copy each."""
    if isinstance(node, list):
        return [_text_by_reference(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("anyOf") == TEXT_JSON_SCHEMA["anyOf"]:
        node = {"$ref": "#/$defs/Text", **{k: v for k, v in node.items() if k != "anyOf"}}
    return {key: _text_by_reference(value) for key, value in node.items()}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
