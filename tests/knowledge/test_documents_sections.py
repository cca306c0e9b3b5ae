"""Passage splitting and header-line reading shared by every document format."""

from __future__ import annotations

from knowledge.documents.header import is_control_line, read_header
from knowledge.documents.sections import (
    Paragraph,
    Section,
    heading_number,
    numbered_heading_level,
    split_sections,
)


def words(n: int, word: str = "widget") -> str:
    return " ".join(f"{word}{i}" for i in range(n))


def test_heading_chain_follows_levels():
    chunks = split_sections(
        [
            Section(1, "5 Procedure", [Paragraph(words(20))]),
            Section(2, "5.1 Ordering", [Paragraph(words(20))]),
            Section(3, "5.1.1 Blanket orders", [Paragraph(words(20))]),
            Section(2, "5.2 Receiving", [Paragraph(words(20))]),
            Section(1, "6 Records", [Paragraph(words(20))]),
        ],
        "QP-07",
    )
    assert [c.section_path for c in chunks] == [
        ["5 Procedure"],
        ["5 Procedure", "5.1 Ordering"],
        ["5 Procedure", "5.1 Ordering", "5.1.1 Blanket orders"],
        ["5 Procedure", "5.2 Receiving"],
        ["6 Records"],
    ]


def test_long_section_split_on_paragraph_boundaries_keeps_path():
    paragraphs = [Paragraph(words(100, f"p{i}w"), page=i + 1) for i in range(6)]
    chunks = split_sections([Section(1, "4 Purchasing", paragraphs)], "T")
    assert len(chunks) == 3
    assert all(c.section_path == ["4 Purchasing"] for c in chunks)
    # Each passage starts at a paragraph start and carries that paragraph's page.
    assert [c.text.split()[0] for c in chunks] == ["p0w0", "p2w0", "p4w0"]
    assert [c.page for c in chunks] == [1, 3, 5]


def test_huge_single_paragraph_cut_near_sentence_ends():
    sentence = "The widget spring is wound by hand and checked twice. "
    text = sentence * 300  # about 3000 words on one line
    chunks = split_sections([Section(0, "", [Paragraph(text)])], "Notes")
    assert len(chunks) > 8
    assert all(len(c.text.split()) <= 250 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    assert all(c.section_path == ["Notes"] for c in chunks)


def test_no_headings_gives_title_as_section():
    chunks = split_sections([Section(0, "", [Paragraph(words(600))])], "Receiving Inspection")
    assert len(chunks) >= 2
    assert {tuple(c.section_path) for c in chunks} == {("Receiving Inspection",)}


def test_empty_sections_dropped_and_tiny_ones_folded_into_subsection():
    chunks = split_sections(
        [
            Section(1, "5 Procedure", []),
            Section(2, "5.1 Ordering", [Paragraph("See below.")]),
            Section(3, "5.1.1 Blanket orders", [Paragraph(words(30))]),
            Section(1, "6 Records", [Paragraph("   \n\t ")]),
            Section(1, "7 Forms", [Paragraph("F-07-01 only.")]),
        ],
        "T",
    )
    assert [c.section_path[-1] for c in chunks] == ["5.1.1 Blanket orders", "7 Forms"]
    assert chunks[0].text.startswith("See below.\n\nwidget0")
    assert chunks[1].text == "F-07-01 only."


def test_whitespace_normalised():
    chunks = split_sections([Section(1, "  1   Purpose ", [Paragraph("a\u00a0b \t c\n d\u200b e f g h i j")])], "T")
    assert chunks[0].section_path == ["1 Purpose"]
    assert chunks[0].text == "a b c d e f g h i j"


def test_unnumbered_subheading_ends_at_next_numbered_heading():
    chunks = split_sections(
        [
            Section(2, "5.5 Purchasing", [Paragraph(words(10))]),
            Section(3, "NOTE", [Paragraph(words(10))]),
            Section(4, "5.5.1.2 Initial Supplier Evaluation", [Paragraph(words(10))]),
        ],
        "T",
    )
    assert chunks[2].section_path == ["5.5 Purchasing", "5.5.1.2 Initial Supplier Evaluation"]


def test_numbered_heading_rules():
    assert numbered_heading_level("5.5.1.2 Initial Supplier Evaluation—Critical Purchases") == 4
    assert numbered_heading_level("6 Records") == 1
    assert numbered_heading_level("Annex A Use of the API Monogram") == 1
    assert numbered_heading_level("1. Check the packing slip against the PO.") is None
    assert numbered_heading_level("5.5 Purchasing ........................ 7") is None
    assert numbered_heading_level("3 pieces were rejected") is None
    assert heading_number("5.5.1.2 Initial Supplier Evaluation") == "5.5.1.2"
    assert heading_number("Scope") is None


def test_header_fields_from_control_lines():
    header = read_header(
        [
            "Purchasing and Supplier Evaluation",
            "Document No.: QP-07   Revision: D   Effective: 2025-02-03",
            "Approved: R. Castillo, Quality Manager, 2025-01-28",
        ]
    )
    assert header.doc_id == "QP-07"
    assert header.revision == "D"
    assert header.approved == "R. Castillo, Quality Manager, 2025-01-28"
    assert header.title is None


def test_header_fields_from_table_rows_and_collapsed_spacing():
    header = read_header(["Title | Supplier Control", "Doc No. | F-08-02 | Rev | 3", "Approved by: J. Doe | 2024-01-01"])
    assert (header.doc_id, header.title, header.revision, header.approved) == ("F-08-02", "Supplier Control", "3", "J. Doe")
    collapsed = read_header(["Document No.: QP-07 Revision: D Effective: 2025-02-03 Approved: R. Castillo, 2025-01-28"])
    assert (collapsed.doc_id, collapsed.revision, collapsed.approved) == ("QP-07", "D", "R. Castillo, 2025-01-28")


def test_column_titles_are_not_a_revision():
    assert read_header(["| Document | Title | Rev | Format |", "Revision: 04"]).revision == "04"


def test_header_only_read_near_the_top():
    lines = ["filler"] * 60 + ["Document No.: QP-99"]
    assert read_header(lines).doc_id is None


def test_control_lines():
    assert is_control_line("Revision: D   Effective: 2025-02-03")
    assert is_control_line("Page 3 of 7")
    assert not is_control_line("Revision History")
    assert not is_control_line("Approved suppliers are listed on the ASL.")
