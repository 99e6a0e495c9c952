"""The publish guard: personal data found (and masked) before a response goes public, and ordinary
response text let through, the generated disclosure corpus included."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from disclosure_log.extract import TextPart, extract_text, fake_redactions
from disclosure_log.guard import Finding, check_entry, check_text
from tests.disclosure_samples import Text, box_over, docx_file, odt_file, pdf, xlsx_file

BENCH = Path(__file__).resolve().parents[2] / "bench"


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.excerpt) for finding in check_text("response", text)]


# --- what is found -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "excerpt"), [
    ("Email j.smith@example.org for details", "email", "j•••@example.org"),
    ("Contact: Jane.O'Brien+foi@mail.example.co.uk.", "email", "B•••@mail.example.co.uk"),
    ("Call 07700 900123 today", "phone", "07••• •••123"),
    ("mobile 07700 900 123", "phone", "07••• ••• 123"),
    ("mobile 07700900123", "phone", "07••••••123"),
    ("from abroad +44 7700 900123", "phone", "+44 •••• •••123"),
    ("(+447700900123)", "phone", "+44•••••••123"),
    ("switchboard +44 (0)20 7123 4567", "phone", "+44 (•)•• •••• •567"),
    ("Tel: 020 7123 4567", "phone", "02• •••• •567"),
    ("Tel. 020-7123-4567", "phone", "02•-••••-•567"),
    ("ring (01992) 531234", "phone", "(01•••) •••234"),
    ("ring 01992 531 234 or", "phone", "01••• ••• 234"),
    ("Birmingham 0121 496 0000", "phone", "01•• ••• •000"),
    ("Brampton 016977 3456", "phone", "01•••• •456"),
    ("Freephone 0800 123 4567", "phone", "08•• ••• •567"),
    ("Freephone 0800 123456", "phone", "08•• •••456"),
    ("0345 600 0000", "phone", "03•• ••• •000"),
    ("call 07700 900123 2019 figures", "phone", "07••• •••123"),
    ("NI number AB 12 34 56 C", "ni_number", "AB •• •• •• C"),
    ("NINO: JX123456D.", "ni_number", "JX •• •• •• D"),
    ("ni no. ab123456c", "ni_number", "AB •• •• •• C"),
    ("Mrs J. Jones, 12 High Street, Ware SG12 9XX", "postcode_with_name", "Mrs J. J•••• … SG12 •••"),
    ("Mr Smith\n1 Acacia Avenue\nHertford\nSG138EQ", "postcode_with_name", "Mr S•••• … SG13 •••"),
    ("Dr Jane Okafor, 3 Lane, London SW1A 1AA", "postcode_with_name", "Dr J••• … SW1A •••"),
    ("Name: Jane Smith\n1 Road\nAL1 1AA", "postcode_with_name", "Name: J••• … AL1 •••"),
    ("Full name:\tJane Smith\tAL1 1AA", "postcode_with_name", "Full name: J••• … AL1 •••"),
    ("the address of John Smith is 3 Lane, SG1 2AB", "postcode_with_name", "address of J••• … SG1 •••"),
    ("Date of birth: 01/02/1980", "date_of_birth", "Date of birth ••/••/1980"),
    ("DOB 1.2.80", "date_of_birth", "DOB •.•.80"),
    ("D.O.B. 1980-02-01", "date_of_birth", "D.O.B. 1980-••-••"),
    ("born on 1st February 1980", "date_of_birth", "born ••• •••••••• 1980"),
    ("aged 43, born 1 Feb 1980", "date_of_birth", "born • ••• 1980"),
    ("was born in Ware on 1 May 1980", "date_of_birth", "born • ••• 1980"),
    ("born February 1, 1980", "date_of_birth", "born •••••••• •, 1980"),
    ("birthdate:\n01-02-1980", "date_of_birth", "birthdate ••-••-1980"),
    ("01/02/1980 (date of birth)", "date_of_birth", "date of birth ••/••/1980"),
])
def test_personal_data_is_found_and_masked(text, kind, excerpt):
    assert found(text) == [(kind, excerpt)]


# --- what is not found ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Some information has been withheld under s.40(2) personal information and reg.13 personal data.",
    "In 2023 the figure for gender pay gap was 1,739. In 2024 the figure was 15,291.",
    "the number of complaints between 2019 and 2021",
    "Reference FOI-2019-0000001 and EIR-2022-0000002",
    "Our offices: Wallfields, Pegs Lane, Hertford SG13 8EQ.",
    "Wallfields, Hertford SG13 8EQ. If you are unhappy please contact Mr Smith, Information Officer.",
    "Costs of 0.01234567891 per unit, 3.01234567891 in total",
    "Open 0900 1700 daily",
    "Ward 0 12 3 45 6 7 8 9 10",
    "logo@2x and @council on social media",
    "QQ 12 34 56 C is HMRC's example number",
    "it was as 123456 a result",
    "The Act received royal assent on 30 November 2000",
    "we do not hold date of birth data. Figures for 01/04/2020 are attached.",
    "received 01/02/2020 and she was born in 1980",
    "Mr Smith asked about 12 Acacia Avenue",
    "the address of the council is on our website",
    "postcode district SG13",
    "born 32/13/1980",
])
def test_ordinary_response_text_has_no_findings(text):
    assert found(text) == []


def test_each_finding_is_listed_once_in_the_order_it_stands():
    text = "Write to j@example.org or call 07700 900123. Again: j@example.org, 07700 900123."

    assert check_text("request", text) == [
        Finding("email", "Email address", "request", "j•••@example.org"),
        Finding("phone", "UK phone number", "request", "07••• •••123"),
    ]


def test_a_finding_does_not_republish_what_it_found():
    text = "Jane Smith, NI AB 12 34 56 C, 07700 900123, jane@example.org, born 14/03/1979, Mr Smith SG12 9XX"

    excerpts = " ".join(finding.excerpt for finding in check_text("response", text))

    for secret in ("12 34 56", "900123", "jane@", "14/03", "Smith", "9XX"):
        assert secret not in excerpts


def test_the_generated_disclosure_corpus_has_no_findings():
    spec = importlib.util.spec_from_file_location("gen_disclosures", BENCH / "gen_disclosures.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    rng = random.Random(20261123)  # the generator's own default seed

    entries = [generator.entry(number, rng) for number in range(2000)]

    assert [finding for entry in entries
            for finding in check_entry({field: entry[field] for field in ("title", "request", "response")}, [])] == []


def test_a_megabyte_of_hostile_text_is_checked_in_one_pass():
    # each piece is a long run one unbounded pattern would backtrack over, quadratically
    pieces = ["a" * 100_000, "a." * 50_000 + "@", "a@" * 50_000, "0" * 100_000, "012 " * 25_000,
              "+44 " * 25_000, "Mr " + " " * 100_000, "Mr " + "A " * 50_000, "Name:" + "\t" * 100_000,
              "born " + "1 " * 50_000, "01/" * 33_000, "AB 12 " * 16_000]
    text = "\n".join(pieces)

    assert len(text) > 1_000_000
    assert check_text("response", text) == []


# --- a whole entry, its attachments included -----------------------------------------------------

def test_an_entry_names_where_each_finding_is():
    letter = Text(20, 30, "Jane Smith 07700 900123")
    pdf_bytes = pdf([Text(20, 30, "Figures for Hertford")], [letter, box_over(letter)])
    workbook = xlsx_file({"Budget": [["Contact", "j.smith@example.org"]]})
    attachments = [
        ("letter.pdf", extract_text(pdf_bytes, "PDF"), fake_redactions(pdf_bytes)),
        ("budget.xlsx", extract_text(workbook, "XLSX"), []),
        ("table.docx", extract_text(docx_file(table=[["Phone", "01992 531234"]]), "DOCX"), []),
        ("statement.odt", extract_text(odt_file(["NI: AB 12 34 56 C"]), "ODT"), []),
    ]

    findings = check_entry({"title": "Parking in Ware", "request": "I am Mr Smith of Ware SG12 9XX", "response": ""},
                           attachments)

    assert [(finding.kind, finding.where) for finding in findings] == [
        ("postcode_with_name", "request"),
        ("phone", "attachment letter.pdf, page 2"),
        ("fake_redaction", "attachment letter.pdf, page 2"),
        ("email", "attachment budget.xlsx, sheet Budget"),
        ("phone", "attachment table.docx"),
        ("ni_number", "attachment statement.odt"),
    ]
    assert findings[2] == Finding("fake_redaction", "Text under a redaction box", "attachment letter.pdf, page 2",
                                  "J••• S•••• 0•••• 9•••••")


def test_text_under_a_box_is_a_finding_even_when_it_is_not_personal_data():
    hidden = [TextPart("page 3", "Draft figures " + "x" * 80)]

    [finding] = check_entry({}, [("minutes.pdf", [], hidden)])

    assert finding.where == "attachment minutes.pdf, page 3"
    assert finding.excerpt.startswith("D•••• f••••••")
    assert len(finding.excerpt) <= 60


def test_a_clean_entry_has_no_findings():
    report = pdf([Text(20, 30, "In 2023 the figure was 1,739.")])

    assert check_entry({"title": "Potholes", "request": "Please provide the costs.", "response": "Attached."},
                       [("report.pdf", extract_text(report, "PDF"), fake_redactions(report))]) == []
