"""A UK postal address: a postcode finder that fills in the town, then the lines typed by hand.

Its page has two states (find by postcode, or the address fields), so it handles its own POST: the
"find" action looks the postcode up and shows the fields filled in; saving checks them.
"""
from __future__ import annotations

from typing import ClassVar, Literal

from capture.answers import Checked, clean_text
from capture.questions.base import PageOutcome, PostContext, Question, answered
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode

# (key, label, required, autocomplete)
ADDRESS_FIELDS = (
    ("line1", "Address line 1", True, "address-line1"),
    ("line2", "Address line 2 (optional)", False, "address-line2"),
    ("town", "Town or city", True, "address-level2"),
    ("county", "County (optional)", False, ""),
    ("postcode", "Postcode", True, "postal-code"),
)
MISSING = {"line1": "Enter address line 1, typically the building and street", "town": "Enter town or city",
           "postcode": "Enter postcode"}


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
        for key, label, required, _auto in ADDRESS_FIELDS:
            if required and not values[key]:
                result.errors[f"{self.id}-{key}"] = MISSING[key]
            elif len(values[key]) > self.limit:
                result.errors[f"{self.id}-{key}"] = f"{label.removesuffix(' (optional)')} must be {self.limit} characters or less"
        if values["postcode"] and f"{self.id}-postcode" not in result.errors:
            if not is_valid_uk_postcode(values["postcode"]):
                result.errors[f"{self.id}-postcode"] = "Enter a full UK postcode, like AA3 1AB"
            else:
                values["postcode"] = normalise_postcode(values["postcode"])
        result.value = values
        return result

    def lines(self, value) -> list[str]:
        return [value[k] for k, *_ in ADDRESS_FIELDS if value.get(k)]

    def handle_post(self, ctx: PostContext) -> PageOutcome:
        form = ctx.request.form
        if form.get("action") == "find":
            return self._find(form, ctx.services.postcodes)
        checked = self.parse(form)
        if not checked.ok:
            return PageOutcome(checked.raw, checked.errors, manual=True)
        ctx.save(answered(checked.value))
        return PageOutcome(checked.raw, {}, redirect_to_next=True)

    def _find(self, form, postcodes) -> PageOutcome:
        lookup_field = f"{self.id}-lookup"
        typed = clean_text(form.get(lookup_field))
        raw = {lookup_field: typed}
        if not typed:
            return PageOutcome(raw, {lookup_field: "Enter a postcode"})
        if not is_valid_uk_postcode(typed):
            return PageOutcome(raw, {lookup_field: "Enter a full UK postcode, like AA3 1AB"})
        try:
            found = postcodes.lookup(typed)
        except (PostcodeLookupUnavailable, InvalidPostcode):
            return PageOutcome({f"{self.id}-postcode": normalise_postcode(typed)}, {}, manual=True,
                               notice="We cannot look up your postcode at the moment. Enter your address below.")
        if found is None:
            return PageOutcome(raw, {lookup_field: "We could not find that postcode. Check it, or enter the address manually"})
        return PageOutcome({f"{self.id}-postcode": found.postcode, f"{self.id}-town": found.town,
                            f"{self.id}-county": found.county}, {}, manual=True,
                           notice=f"We found {found.postcode} in {found.town}. Check the town and enter the rest of your address.")
