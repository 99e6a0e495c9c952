"""A UK postal address: a postcode finder, then the address lines, which the person checks or types.

Its page has three states, so it handles its own POST (no JavaScript needed):
- the finder: a postcode and "Find address";
- "Select an address": the premises at the postcode from the address lookup (OS Places), when it is set;
- the address fields: filled in from the address chosen, or with the town and county postcodes.io gives
  for the postcode, or empty when the lookups are down or the person cannot find their address in the list.
An address chosen from the list keeps its UPRN while the fields still say what the list said: a signed
hidden field carries the choice, so the UPRN in the payload is one the lookup gave for those lines.
"""
from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from flask_babel import gettext as _
from itsdangerous import BadSignature

from capture.answers import Checked, clean_text
from capture.questions.base import PageOutcome, PostContext, Question, answered
from capture.texts import Text
from portal import tokens
from portal.exceptions import PostcodeLookupUnavailable
from portal.i18n import N_
from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode

# (key, label, required, autocomplete): each label a catalogue message, in the page's language when shown
ADDRESS_FIELDS = (
    ("line1", Text.message(N_("Address line 1")), True, "address-line1"),
    ("line2", Text.message(N_("Address line 2 (optional)")), False, "address-line2"),
    ("town", Text.message(N_("Town or city")), True, "address-level2"),
    ("county", Text.message(N_("County (optional)")), False, ""),
    ("postcode", Text.message(N_("Postcode")), True, "postal-code"),
)
MISSING = {"line1": N_("Enter address line 1, typically the building and street"), "town": N_("Enter town or city"),
           "postcode": N_("Enter postcode")}
TOO_LONG = {
    "line1": N_("Address line 1 must be %(num)d characters or less"),
    "line2": N_("Address line 2 must be %(num)d characters or less"),
    "town": N_("Town or city must be %(num)d characters or less"),
    "county": N_("County must be %(num)d characters or less"),
    "postcode": N_("Postcode must be %(num)d characters or less"),
}
FULL_POSTCODE = N_("Enter a full UK postcode, like AA3 1AB")
CHOICE_SALT = "capture-address-choice"
CHOSEN_FIELDS = ("line1", "line2", "town", "postcode")  # what must still match the list for the UPRN to stay
LOOKUP_DOWN = N_("We cannot look up your postcode at the moment. Enter your address below.")


class AddressQuestion(Question):
    type: Literal["address"]
    max_length: int = 0
    """The most characters in each line; 0 for 200."""

    template: ClassVar[str] = "capture/questions/address.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset()
    payload_type: ClassVar[str] = "object"
    heading_in_legend: ClassVar[bool] = True
    fields: ClassVar[tuple] = ADDRESS_FIELDS

    @property
    def limit(self) -> int:
        return self.max_length or 200

    def parse(self, form, *, today=None) -> Checked:
        values = {key: clean_text(form.get(f"{self.id}-{key}")) for key, *_ in ADDRESS_FIELDS}
        result = Checked(raw={f"{self.id}-{k}": v for k, v in values.items()})
        if not any(values.values()) and not self.required:
            return result
        for key, _label, required, _auto in ADDRESS_FIELDS:
            if required and not values[key]:
                result.errors[f"{self.id}-{key}"] = _(MISSING[key])
            elif len(values[key]) > self.limit:
                result.errors[f"{self.id}-{key}"] = _(TOO_LONG[key], num=self.limit)
        if values["postcode"] and f"{self.id}-postcode" not in result.errors:
            if not is_valid_uk_postcode(values["postcode"]):
                result.errors[f"{self.id}-postcode"] = _(FULL_POSTCODE)
            else:
                values["postcode"] = normalise_postcode(values["postcode"])
        result.value = values
        return result

    def lines(self, value) -> list[str]:
        return [value[k] for k, *_ in ADDRESS_FIELDS if value.get(k)]

    def handle_post(self, ctx: PostContext) -> PageOutcome:
        form = ctx.request.form
        action = form.get("action")
        if action in ("find", "choose", "manual"):
            typed = clean_text(form.get(self.lookup_field))
            if not typed or not is_valid_uk_postcode(typed):
                return PageOutcome({self.lookup_field: typed}, {self.lookup_field: (
                    _("Enter a postcode") if not typed else _(FULL_POSTCODE))})
            postcode = normalise_postcode(typed)
            if action == "manual":  # "I cannot find the address in the list"
                return PageOutcome({self.field("postcode"): postcode}, {}, manual=True)
            if action == "choose":
                return self._choose(ctx, postcode, form.get(self.field("uprn")))
            return self._find(ctx, postcode)
        return self._save(ctx)

    @property
    def lookup_field(self) -> str:
        return self.field("lookup")

    def field(self, key: str) -> str:
        return f"{self.id}-{key}"

    # The states ------------------------------------------------------------------------------------

    def _find(self, ctx: PostContext, postcode: str) -> PageOutcome:
        lookup = ctx.services.addresses
        if lookup is None:
            return self._town_of(ctx, postcode)
        try:
            found = lookup.addresses(postcode)
        except (PostcodeLookupUnavailable, InvalidPostcode):
            return self._town_of(ctx, postcode)  # postcodes.io may still know the town
        if not found:
            return self._town_of(ctx, postcode, no_addresses=True)
        return self._select(postcode, found)

    def _select(self, postcode: str, found: list, errors: dict | None = None) -> PageOutcome:
        """"Select an address": the template lists `found` (kept out of what was typed by its key)."""
        return PageOutcome({self.lookup_field: postcode, self.field("found"): found}, errors or {})

    def _choose(self, ctx: PostContext, postcode: str, uprn: str | None) -> PageOutcome:
        try:
            found = ctx.services.addresses.addresses(postcode) if ctx.services.addresses else []
        except (PostcodeLookupUnavailable, InvalidPostcode):
            return PageOutcome({self.field("postcode"): postcode}, {}, manual=True, notice=_(LOOKUP_DOWN))
        chosen = next((address for address in found if uprn and address.uprn == uprn), None)
        if chosen is None:
            if not found:
                return PageOutcome({self.field("postcode"): postcode}, {}, manual=True)
            return self._select(postcode, found, {self.field("uprn"): _("Select an address")})
        fields = {key: getattr(chosen, key) for key, *_ in ADDRESS_FIELDS}
        token = tokens.dumps(ctx.settings.secret_key, CHOICE_SALT,
                             {"draft": ctx.draft.id, "question": self.id, "uprn": chosen.uprn,
                              "fields": {key: fields[key] for key in CHOSEN_FIELDS}})
        return PageOutcome({**{self.field(key): value for key, value in fields.items()}, self.field("chosen"): token},
                           {}, manual=True, notice=_("Check the address and change it if you need to."))

    def _town_of(self, ctx: PostContext, postcode: str, *, no_addresses: bool = False) -> PageOutcome:
        """The fields with the town and county from postcodes.io (the fallback), or empty when it is down."""
        try:
            place = ctx.services.postcodes.lookup(postcode)
        except (PostcodeLookupUnavailable, InvalidPostcode):
            return PageOutcome({self.field("postcode"): postcode}, {}, manual=True, notice=_(LOOKUP_DOWN))
        if place is None:
            return PageOutcome({self.lookup_field: postcode},
                               {self.lookup_field: _("We could not find that postcode. Check it, or enter the address manually")})
        notice = (_("We could not find any addresses for %(postcode)s. Enter your address below.", postcode=place.postcode)
                  if no_addresses else
                  _("We found %(postcode)s in %(town)s. Check the town and enter the rest of your address.",
                    postcode=place.postcode, town=place.town))
        return PageOutcome({self.field("postcode"): place.postcode, self.field("town"): place.town,
                            self.field("county"): place.county}, {}, manual=True, notice=notice)

    def _save(self, ctx: PostContext) -> PageOutcome:
        form = ctx.request.form
        checked = self.parse(form)
        token = form.get(self.field("chosen"), "")
        if not checked.ok:
            return PageOutcome({**checked.raw, self.field("chosen"): token}, checked.errors, manual=True)
        value = checked.value
        if value:
            uprn = self._chosen_uprn(ctx, token, value)
            if uprn:
                value = {**value, "uprn": uprn}
        ctx.save(answered(value))
        return PageOutcome(checked.raw, {}, redirect_to_next=True)

    def _chosen_uprn(self, ctx: PostContext, token: str, value: dict) -> str:
        """The UPRN of the address chosen from the list, if the lines still say what it said; else ""."""
        saved = ctx.draft.answers.get(self.id)
        if token:
            try:
                choice = tokens.loads(ctx.settings.secret_key, CHOICE_SALT, token,
                                      max_age=int(dt.timedelta(minutes=ctx.settings.draft_idle_minutes).total_seconds()))
            except BadSignature:
                choice = None
            if choice and choice.get("draft") == ctx.draft.id and choice.get("question") == self.id:
                return choice["uprn"] if _same(choice["fields"], value) else ""
        if isinstance(saved, dict) and saved.get("uprn"):  # the answer saved before, unchanged since
            return saved["uprn"] if _same(saved, value) else ""
        return ""


def _same(chosen: dict, value: dict) -> bool:
    return all(" ".join(str(chosen.get(key, "")).split()).casefold() == value.get(key, "").casefold()
               for key in CHOSEN_FIELDS)
