"""Loading plain-text and Markdown procedures: header fields, sections, clause links, encodings."""

from __future__ import annotations

import hashlib

import pytest

from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document
from knowledge.errors import DocumentError

BODY = (
    "Buyers place orders only with suppliers on the approved supplier list. The list shows the scope "
    "each supplier is approved for and the date of its last evaluation, and the buyer checks both."
)

TEXT_PROCEDURE = f"""Purchasing and Supplier Evaluation
Document No.: QP-07   Revision: D   Effective: 2025-02-03
Approved: R. Castillo, Quality Manager, 2025-01-28

1 Purpose

{BODY}

2 References

API Q1 10th 5.5.1.2 and ISO 9001:2015 8.4.1 apply to this procedure.

3 PROCEDURE

3.1 Critical suppliers

{BODY}
{BODY}

3.2 Noncritical suppliers

{BODY}
"""


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_text_procedure(tmp_path, catalogue):
    path = tmp_path / "QP-07_purchasing.txt"
    path.write_text(TEXT_PROCEDURE, encoding="utf-8")
    doc = load_document(path, catalogue)
    assert (doc.doc_id, doc.title, doc.revision) == ("QP-07", "Purchasing and Supplier Evaluation", "D")
    assert doc.approved == "R. Castillo, Quality Manager, 2025-01-28"
    assert (doc.format, doc.kind, doc.source_name) == ("text", "procedure", "QP-07_purchasing.txt")
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [p.section_path for p in doc.passages] == [
        ["1 Purpose"],
        ["2 References"],
        ["3 PROCEDURE", "3.1 Critical suppliers"],
        ["3 PROCEDURE", "3.2 Noncritical suppliers"],
    ]
    assert [p.ordinal for p in doc.passages] == [0, 1, 2, 3]
    assert doc.passages[1].clause_refs == ["API Q1:10th:5.5.1.2", "ISO 9001:2015:8.4.1"]
    assert doc.passages[0].clause_refs == []
    # Control lines are metadata, never passage text.
    assert not any("Document No." in p.text or "Approved:" in p.text for p in doc.passages)
    assert all(p.page is None for p in doc.passages)


def test_text_form_feeds_are_pages(tmp_path, catalogue):
    path = tmp_path / "wi.txt"
    path.write_text(f"1 Setup\n\n{BODY}\n\f2 Run\n\n{BODY}\n", encoding="utf-8")
    doc = load_document(path, catalogue)
    assert [p.page for p in doc.passages] == [1, 2]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8-sig", b""), ("cp1252", b""), ("utf-16", b"")],
)
def test_text_encodings(tmp_path, catalogue, encoding, prefix):
    text = "1 Purpose\n\nThe supplier’s widget costs 5 € and is “approved” by the café manager today.\n"
    path = tmp_path / f"enc_{encoding}.txt"
    path.write_bytes(prefix + text.encode(encoding))
    doc = load_document(path, catalogue)
    assert "supplier’s widget costs 5 € and is “approved” by the café" in doc.passages[0].text


def test_text_without_headings_split_by_words(tmp_path, catalogue):
    path = tmp_path / "notes.txt"
    path.write_text("\n\n".join([BODY] * 30), encoding="utf-8")
    doc = load_document(path, catalogue)
    assert doc.doc_id == "notes"
    assert len(doc.passages) >= 4
    assert all(p.section_path == ["notes"] for p in doc.passages)
    assert all(len(p.text.split()) <= 250 for p in doc.passages)


def test_text_huge_single_line(tmp_path, catalogue):
    path = tmp_path / "one_line.txt"
    path.write_text("widget " * 200_000, encoding="utf-8")
    doc = load_document(path, catalogue)
    assert len(doc.passages) == 800
    assert all(len(p.text.split()) == 250 for p in doc.passages)


MARKDOWN_PROCEDURE = f"""---
doc_id: QP-08
title: Receiving Inspection
revision: E
approved: K. Brennan, QC Supervisor, 2024-10-14
effective: 2024-10-21
---
# Receiving Inspection

Document No.: QP-99   Revision: Z

## 1 Purpose

{BODY}

## 2 References

- API Q1 10th 5.5.3 and 5.6.5
- ISO 9001:2015 8.4.2

| Record | Retention |
|---|---|
| Receiving report | 10 years |

## 3 Procedure

### 3.1 Check the paperwork

**Buyers** check the *MTR* against the PO. {BODY}

```
heat number: 12345
```
"""


def test_markdown_procedure(tmp_path, catalogue):
    path = tmp_path / "QP-08.md"
    path.write_text(MARKDOWN_PROCEDURE, encoding="utf-8")
    doc = load_document(path, catalogue)
    # Front matter wins over the header lines below it.
    assert (doc.doc_id, doc.title, doc.revision) == ("QP-08", "Receiving Inspection", "E")
    assert doc.approved == "K. Brennan, QC Supervisor, 2024-10-14"
    assert doc.format == "markdown"
    paths = [p.section_path for p in doc.passages]
    assert paths == [
        ["Receiving Inspection", "1 Purpose"],
        ["Receiving Inspection", "2 References"],
        ["Receiving Inspection", "3 Procedure", "3.1 Check the paperwork"],
    ]
    refs = doc.passages[1].clause_refs
    assert refs == ["API Q1:10th:5.5.3", "API Q1:10th:5.6.5", "ISO 9001:2015:8.4.2"]
    assert "Receiving report | 10 years" in doc.passages[1].text
    procedure = doc.passages[2].text
    assert procedure.startswith("Buyers check the MTR against the PO.")
    assert "heat number: 12345" in procedure
    assert "QP-99" not in " ".join(p.text for p in doc.passages)


def test_markdown_header_lines_without_front_matter(tmp_path, catalogue):
    path = tmp_path / "qp-09.md"
    path.write_text(
        "# Production Control\n\n**Document No.:** QP-09  \n**Revision:** F\n\n## 1 Purpose\n\n" + BODY,
        encoding="utf-8",
    )
    doc = load_document(path, catalogue)
    assert (doc.doc_id, doc.title, doc.revision) == ("QP-09", "Production Control", "F")


def test_markdown_bad_front_matter_names_file(tmp_path, catalogue):
    path = tmp_path / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\n# T\n\nbody text here\n", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        load_document(path, catalogue)
    assert "broken.md" in str(caught.value)
    assert "front matter" in str(caught.value)
