"""The publish guard: personal data found (and masked) before a response goes public, and ordinary
response text let through, the generated disclosure corpus included."""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_log.extract import TextPart, extract_text, fake_redactions
from disclosure_log.file_metadata import read_notes
from disclosure_log.guard import (LABELS, NO_ONE_ALLOWED, Allowed, AttachmentText, Finding, check_entry,
                                  check_text, is_personal_query)
from disclosure_log.guard.masking import MAX_EXCERPT
from portal.settings import UnsafeSettings
from tests.conftest import make_settings, migrated_app
from tests.disclosure_samples import Note, Text, box_over, docx_file, odt_file, pdf, xlsx_file

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
    ("home +44 (0)20 7123 4567", "phone", "+44 (•)•• •••• •567"),
    ("Tel: 020 7123 4567", "phone", "02• •••• •567"),
    ("Tel. 020-7123-4567", "phone", "02•-••••-•567"),
    ("ring (01992) 531234", "phone", "(01•••) •••234"),
    ("ring 01992 531 234 or", "phone", "01••• ••• 234"),
    ("Birmingham 0121 496 0000", "phone", "01•• ••• •000"),
    ("Brampton 016977 3456", "phone", "01•••• •456"),
    ("call 07700 900123 2019 figures", "phone", "07••• •••123"),
    ("her mobile is 07700.900.123", "phone", "07•••.•••.123"),
    ("name,phone\nJ,07700900123", "phone", "07••••••123"),
    ("Tel: 01632 960 284 (home)", "phone", "01••• ••• 284"),
    ("NI number AB 12 34 56 C", "ni_number", "AB •• •• •• C"),
    ("NINO: JX123456D.", "ni_number", "JX •• •• •• D"),
    ("ni no. ab123456c", "ni_number", "AB •• •• •• C"),
    ("ni number ab 12 34 56 c", "ni_number", "AB •• •• •• C"),
    ("NHS number 943 476 5919", "nhs_number", "••• ••• •919"),
    ("NHS number: 943-476-5919", "nhs_number", "•••-•••-•919"),
    ("NHS no. 9434765919", "nhs_number", "•••••••919"),
    ("patient 9434765919 was seen", "nhs_number", "•••••••919"),
    ("PCN for KX21 VHM", "vehicle_registration", "K••• •••"),
    ("the van LB07SEO", "vehicle_registration", "L••••••"),
    ("vehicle R472 KBN", "vehicle_registration", "R••• •••"),
    ("car registration HUV 381N", "vehicle_registration", "H•• ••••"),
    ("Janet Pemberton, 14 Acacia Avenue, Hertford SG13 8DQ", "postcode_with_name", "J•••• P•••••••• … SG13 •••"),
    ("From Oliver Grant-Smith, 41 Baldock Street, Royston SG8 5AY", "postcode_with_name",
     "O••••• G••••-S•••• … SG8 •••"),
    ("Objection from Zoë Wiśniewska, 4 Mill Road, SG12 7QT", "postcode_with_name", "Z•• W••••••••• … SG12 •••"),
    ("Resident: Sophie Ward, 12 Wodson Park Cottages, Ware SG12 0UF", "postcode_with_name",
     "Resident: S••••• … SG12 •••"),
    ("Site name: x\nTenant name: Wojciech Nowak\n15b Station Approach, EN11 0AA", "postcode_with_name",
     "Tenant name: W••••••• … EN11 •••"),
    ("She lives at 14 Acacia Avenue, Hertford", "home_address", "lives at •• A••••• Avenue"),
    ("Her home address is 31 Queens Road.", "home_address", "Her home address is •• Q••••• Road"),
    ("Address: Flat 2, 118 Ware Road", "home_address", "Address: ••• W••• Road"),
    ("Mr Dawson, 7 Hollybush Lane, reported it", "home_address", "Mr D•••••, • H•••••••• Lane"),
    ("Samantha Riley, 4 Kingsmead Court, asked", "home_address", "S••••••• R••••, • K•••••••• Court"),
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
    ("born on the fourteenth of March nineteen seventy-nine", "date_of_birth",
     "born ••• •••••••••• •• ••••• nineteen seventy-nine"),
    ("Birth date: twenty-second of August 1966", "date_of_birth", "Birth date ••••••-•••••• •• •••••• 1966"),
    ("born in March 2017, now aged 7", "date_of_birth", "born ••••• 2017"),
    ("DOB: 03/1979", "date_of_birth", "DOB ••/1979"),
    ("DOB 14 Mar '79", "date_of_birth", "DOB •• ••• '79"),
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
    "Freephone 0800 123 4567, or 0800 123456 from a landline",
    "switchboard +44 (0)20 7946 0000",
    "Benefits: 0300 123 4000; council tax 0345 600 0000; premium line 0906 123 4567",
    "Write to foi@example.gov.uk, information.requests@example.gov.uk or customer-services@example.gov.uk",
    "info@smithsplumbing.co.uk is the contractor's general mailbox",
    "Contact the Licensing Team on 01992 555 220 or ring the Surgery reception on 01632 960 400.",
    "The idea was born on 1 April 2020.",
    "The partnership was born out of the flood plan of 12 June 2016.",
    "Site name: Wallfields Depot, Pegs Lane, Hertford SG13 8EQ",
    "Janet Pemberton\nInformation Governance Officer\nCounty Hall, Pegs Lane, Hertford SG13 8DQ",
    "The Charles Rennie Mackintosh exhibition ran at Hertford Museum, Bull Plain, Hertford SG14 1DT.",
    "Victoria Road and George Street, 12 Acacia Avenue and 14 Station Road are to be resurfaced.",
    "FY23 AND FY24 BUDGET SUMMARY; the A414 BUS lane; TPO 123A",
    "NHS spending of 943 476 5910 pounds",  # the check digit does not hold
    "Order 9434765919 was paid",  # ten digits without a space need "NHS" or "patient" before them
    "Grid reference TL 3251 1254, UPRN 10033104567, VAT GB 123 4567 89",
    "Send your views to localplan@example.gov.uk or climatechange@example.gov.uk",  # role words run together
    "Ware Town Council, Priory Street, Ware SG12 0DE; tel 01632 960 316.",  # a body's own line
    "The James Marshall Commercial Hub, 12 Station Road, Ware SG12 9AB, opened in 2021.",  # named after someone
])
def test_ordinary_response_text_has_no_findings(text):
    assert found(text) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("Email jsmith@example.gov.uk or annahill@example.gov.uk", "email"),  # not role words run together
    ("Send it to localplan@gmail.com", "email"),  # anyone may choose any word at a webmail domain
    ("Ware Town Council, Priory Street: Mrs Lee's home number is 01632 960 316.", "phone"),  # someone's, named
    ("Ware Town Council said. The caller rang from 01632 960 316.", "phone"),  # the body's sentence has ended
    ("Janet Anne Pemberton, 14 Acacia Avenue, Hertford SG13 8DQ", "postcode_with_name"),  # a third name
    ("Neighbour at 5 Farquhar Street reported rats in the garden.", "home_address"),
    ("Address given: 92 London Road, Bishop's Stortford", "home_address"),
])
def test_the_rules_that_let_a_body_s_own_text_through_still_find_a_person_s(text, kind):
    assert kind in {finding_kind for finding_kind, _excerpt in found(text)}


# --- the body's own contact details ----------------------------------------------------------------

def body_allowed(tmp_path, **settings) -> Allowed:
    return Allowed.from_settings(make_settings(tmp_path, **settings))


def test_the_bodys_own_addresses_and_numbers_are_let_through(tmp_path):
    allowed = body_allowed(tmp_path, contact_email="Information.Requests@Example.gov.uk",
                           telephone="01992 555 555 (Monday to Friday, 9am to 5pm)",
                           postal_address="Wallfields, Pegs Lane, Hertford SG13 8EQ",
                           guard_allow="j.smith@example.gov.uk; 01992 555 220\nSG14 1PS")
    text = ("Write to information.requests@example.gov.uk or j.smith@example.gov.uk, call 01992 555555 or "
            "01992-555-220. Mrs J. Jones, Wallfields, Hertford SG13 8EQ. Mr A. Cole, Hertford Theatre SG14 1PS.")

    assert check_text("response", text, allowed) == []
    # a team's mailbox needs no allowing; the rest, without it, would stop publication
    assert [finding.kind for finding in check_text("response", text)] == ["email", "phone", "phone",
                                                                          "postcode_with_name", "postcode_with_name"]


def test_only_the_allowed_ones_are_let_through(tmp_path):
    allowed = body_allowed(tmp_path, guard_allow="01992 555 220")

    assert [f.excerpt for f in check_text("response", "ring 01992 555 220 or 01992 555 221", allowed)] == [
        "01••• ••• 221"]


def test_an_allow_list_item_that_is_none_of_the_three_stops_the_portal_starting(tmp_path, services):
    with pytest.raises(UnsafeSettings, match="GUARD_ALLOW: 'the depot' holds no email address"):
        migrated_app(tmp_path, services, guard_allow="foi@example.gov.uk; the depot")


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


# pieces of every rule's shape, so that random joins of them reach each rule's edges
PIECES = ["Mr", "Mrs J.", "Name:", "Resident:", "Janet", "Pemberton", "Zoë", "lives at", "Flat 3,", "14",
          "Acacia", "Avenue", "Road", ",", "\n", " ", "SG13", "8DQ", "SG138DQ", "AB12", "CDE", "A123", "ABC", "123D",
          "car", "NHS", "943", "476", "5919", "9434765919", "AB", "12", "34", "56", "C", "-", "07700", "900123",
          "+44", "(0)", "(01992)", "0800", "born", "DOB", "1", "March", "1979", "fourteenth", "of", "nineteen",
          "seventy-nine", "01/02/1980", "@", "j.smith", "example.org", "foi@example.gov.uk", "Team", "b.", "£", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=200))
def test_any_text_gives_masked_findings_and_never_an_error(text):
    for finding in check_text("response", text):
        assert finding.label == LABELS[finding.kind]
        assert len(finding.excerpt) <= MAX_EXCERPT
    assert isinstance(is_personal_query(text), bool)


HOSTILE = [  # each a long run that one unbounded pattern would backtrack over, quadratically
    "a" * 100_000, "a." * 50_000 + "@", "a@" * 50_000, "0" * 100_000, "012 " * 25_000, "+44 " * 25_000,
    "Mr " + " " * 100_000, "Mr " + "A " * 50_000, "Name:" + "\t" * 100_000, "born " + "1 " * 50_000,
    "01/" * 33_000, "AB 12 " * 16_000,
    # the rules of new shapes: digits looked back from, names looked for before addresses, cues before dates
    "943 " * 25_000, "1" * 100_000 + " ", "12 34 56 " * 11_000, "AB12 " * 20_000, "A1 " * 33_000,
    "ABC 1" * 20_000, "SG13 8DQ " * 11_000, "Janet " * 16_000 + "SG13 8DQ", "Mr Smith " * 11_000 + "SG1 2AB",
    "14 Acacia " * 10_000 + "Avenue", "14 " * 33_000 + "Road", "lives at " * 11_000 + "Flat",
    "Flat 3, " * 12_000, "DOB the first of " * 6_000, "born nineteen " * 7_000, "born " * 20_000,
    "Licensing Team on " * 5_000 + "01992 555 220 " * 2_000, "x" * 70 + "@example.org " * 7_000,
    "NHS " * 25_000 + "9434765910",
]


@pytest.mark.parametrize("piece", range(len(HOSTILE)))
def test_a_megabyte_of_hostile_text_is_checked_in_one_pass(piece):
    text = (HOSTILE[piece] + "\n") * -(-1_000_000 // len(HOSTILE[piece]))

    assert len(text) >= 1_000_000
    assert [f.kind for f in check_text("response", text)] in ([], ["email"], ["phone"], ["postcode_with_name"])


def test_the_hostile_pieces_together_are_checked_in_one_pass():
    text = "\n".join(HOSTILE)

    assert len(text) > 1_000_000
    assert {finding.kind for finding in check_text("response", text)} <= {"email", "phone", "postcode_with_name"}


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


# --- what an attachment holds besides its text ------------------------------------------------------

def file_findings(filename: str, data: bytes, kind: str, allowed: Allowed = NO_ONE_ALLOWED) -> list[tuple[str, str, str]]:
    attachment = AttachmentText(filename, extract_text(data, kind), [], read_notes(data, kind))
    return [(f.kind, f.where, f.excerpt) for f in check_entry({}, [attachment], allowed)]


def test_a_docx_s_author_comments_and_tracked_changes_are_findings():
    letter = docx_file(["The potholes were repaired."], comment="Check with Mrs Jones", deleted="07700 900123",
                       inserted="in March", author="Janet Pemberton", last_modified_by="jsmith")

    assert file_findings("letter.docx", letter, "DOCX") == [
        ("phone", "attachment letter.docx", "07••• •••123"),  # deleted, but still in the file
        ("file_author", "attachment letter.docx, author", "J•••• P••••••••"),
        ("file_author", "attachment letter.docx, last modified by", "j•••••"),
        ("comment", "attachment letter.docx, comment 1", "C•••• w••• M•• J••••"),
        ("tracked_change", "attachment letter.docx, tracked change 1", "0•••• 9•••••"),
        ("tracked_change", "attachment letter.docx, tracked change 2", "i• M••••"),
    ]


def test_an_xlsx_s_author_and_cell_comments_are_findings():
    workbook = xlsx_file({"Budget": [["Item", "Cost"], ["Signs", 1200]]}, creator="Bob Jones",
                         last_modified_by="Amina Yusuf", comments={("Budget", "B2"): "Ask Jane why"})

    assert file_findings("budget.xlsx", workbook, "XLSX") == [
        ("file_author", "attachment budget.xlsx, author", "B•• J••••"),
        ("file_author", "attachment budget.xlsx, last modified by", "A•••• Y••••"),
        ("comment", "attachment budget.xlsx, comment 1 (sheet Budget, cell B2)", "A•• J••• w••"),
    ]


def test_an_odt_s_author_comments_and_tracked_changes_are_findings():
    document = odt_file(["Figures"], creator="Ann Smith", last_saved_by="Bob Jones", comment="Remove before sending",
                        deleted="the old figure", inserted="a new figure")

    assert file_findings("reply.odt", document, "ODT") == [
        ("file_author", "attachment reply.odt, author", "A•• S••••"),
        ("file_author", "attachment reply.odt, last modified by", "B•• J••••"),
        ("comment", "attachment reply.odt, comment 1", "R••••• b••••• s••••••"),
        ("tracked_change", "attachment reply.odt, tracked change 1", "t•• o•• f•••••"),
        ("tracked_change", "attachment reply.odt, tracked change 2", "a n•• f•••••"),
    ]


def test_a_pdf_s_author_and_comments_are_findings_and_the_comment_is_checked_as_it_shows():
    report = pdf([Text(20, 30, "Figures for 2024"), Note(20, 40, "Ask Jane on 07700 900123", author="Jane Smith")],
                 author="Janet Pemberton")

    assert file_findings("report.pdf", report, "PDF") == [
        ("file_author", "attachment report.pdf, author", "J•••• P••••••••"),
        ("comment", "attachment report.pdf, comment 1 (page 1)", "A•• J••• o• 0•••• 9•••••"),
    ]


@pytest.mark.parametrize(("data", "kind"), [
    (docx_file(["Plain"]), "DOCX"),  # python-docx's own author
    (xlsx_file({"Sheet": [["x"]]}), "XLSX"),  # openpyxl's own
    (docx_file(["Plain"], author="Example Council", last_modified_by="FOI Team"), "DOCX"),
    (odt_file(["Plain"], creator="Information Governance", last_saved_by="Administrator"), "ODT"),
    (pdf([Text(20, 30, "Plain")], author="Microsoft Office User"), "PDF"),
])
def test_a_file_written_by_a_tool_a_team_or_the_body_itself_has_no_findings(data, kind):
    assert file_findings("file", data, kind, Allowed(names=frozenset({"example council"}))) == []


# --- the log of searches that found nothing ----------------------------------------------------------

@pytest.mark.parametrize("query", [
    "janet pemberton", "complaint about janet pemberton", "mrs jones complaint", "dr okafor", "ab12 cde",
    "car a123 bcd", "sg13 8dq", "07700900123", "943 476 5919", "nhs 9434765919", "account 12345678",
    "jane@example.org", "ni ab 12 34 56 c", "born 1 may 1980", "mohammed ali",
])
def test_a_search_that_may_hold_personal_data_is_not_kept(query):
    assert is_personal_query(query)


@pytest.mark.parametrize("query", [
    "zebra crossings", "library fines", "potholes in ware 2023", "bill payments", "victoria park",
    "george street parking", "elizabeth line", "lee valley park", "3/24/1234/ful", "a414 roadworks",
    "fy24 budget", "max height barrier", "grace period council tax", "foi 2024", "section 40(2)",
])
def test_an_ordinary_search_is_kept(query):
    assert not is_personal_query(query)
