"""Hostile documents into the importers: random and mutated bytes, truncated and encrypted PDFs, zip bombs,
huge lines, NUL bytes and wrong encodings give a document or one clear line naming the file, never a traceback."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from knowledge import SAMPLE_QMS_DIR
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document, load_standard_document
from knowledge.errors import DocumentError

SAMPLES = SAMPLE_QMS_DIR
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file())
EXTENSIONS = [".md", ".txt", ".docx", ".pdf"]
FUZZ = settings(
    max_examples=int(os.environ.get("Q1AUDIT_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _load(name: str, data: bytes, standard: bool = False):
    """Load `data` saved as `name`; return the document, or the DocumentError after checking it is one clean line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            if standard:
                return load_standard_document(path, "API Q1", "10th", load_catalogue())
            return load_document(path, load_catalogue())
        except DocumentError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(name), message
            return exc


@FUZZ
@given(st.sampled_from(EXTENSIONS), st.binary(max_size=4096), st.booleans())
def test_random_bytes(extension, data, standard):
    _load(f"random{extension}", data, standard)


@FUZZ
@given(st.sampled_from(EXTENSIONS), st.binary(max_size=2048), st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe"]))
def test_random_bytes_behind_a_believable_header(extension, data, header):
    _load(f"header{extension}", header + data)


@st.composite
def damaged_sample(draw) -> tuple[str, bytes]:
    """A real sample document cut short, with bytes overwritten, or with a block removed."""
    path = draw(st.sampled_from(SAMPLE_FILES))
    data = bytearray(path.read_bytes())
    kind = draw(st.sampled_from(["truncate", "flip", "cut_block"]))
    if kind == "truncate":
        data = data[: draw(st.integers(1, len(data) - 1))]
    elif kind == "flip":
        for _ in range(draw(st.integers(1, 20))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    else:
        start = draw(st.integers(0, len(data) - 2))
        del data[start : start + draw(st.integers(1, 4096))]
    return path.name, bytes(data)


@FUZZ
@given(damaged_sample())
def test_damaged_sample_documents(case):
    name, data = case
    _load(name, data)


def _pdf(tmp: Path, **encrypt) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(SAMPLES / "QP-06_design_control.pdf"))
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "encrypt, readable",
    [
        ({"user_password": "secret", "algorithm": "AES-256"}, False),
        ({"user_password": "secret", "algorithm": "RC4-128"}, False),
        ({"user_password": "", "owner_password": "owner", "algorithm": "AES-256"}, True),
        ({"user_password": "", "owner_password": "owner", "algorithm": "RC4-40"}, True),
    ],
    ids=["aes-password", "rc4-password", "aes-owner-only", "rc4-owner-only"],
)
def test_encrypted_pdfs(tmp_path, encrypt, readable):
    result = _load("locked.pdf", _pdf(tmp_path, **encrypt))
    if readable:
        assert not isinstance(result, DocumentError), result
        assert result.passages
    else:
        assert isinstance(result, DocumentError) and "password" in str(result)


@FUZZ
@given(st.integers(min_value=1, max_value=17000))
def test_pdf_truncated_anywhere(cut):
    data = (SAMPLES / "QP-06_design_control.pdf").read_bytes()
    _load("cut.pdf", data[: cut % len(data) or 1])


def _zip(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _word_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLES / "QP-05_contingency_planning.docx") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    "members",
    [
        pytest.param(lambda m: m | {"word/document.xml": b"<" + b"a" * (64 * 1024 * 1024)}, id="deflate-bomb"),
        pytest.param(lambda m: m | {f"word/media/x{i}.bin": b"" for i in range(6000)}, id="many-members"),
        pytest.param(lambda m: m | {"word/document.xml": _zip({"inner.xml": b"0" * (8 * 1024 * 1024)})}, id="nested-zip"),
        pytest.param(
            lambda m: m | {"word/document.xml": m["word/document.xml"].replace(b"<w:body>", b"<w:body>" + b"<w:p>" * 200_000, 1)},
            id="deep-xml",
        ),
        pytest.param(
            lambda m: m | {"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                           + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8))
                           + b"]><d>&i;</d>"},
            id="xml-entity-expansion",
        ),
        pytest.param(
            lambda m: m | {"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'},
            id="xml-external-entity",
        ),
        pytest.param(lambda m: {k: v for k, v in m.items() if k != "[Content_Types].xml"}, id="no-content-types"),
    ],
)
def test_hostile_docx_packages(members):
    data = _zip(members(_word_members()))
    result = _load("hostile.docx", data)
    if not isinstance(result, DocumentError):
        assert all("root:" not in p.text for p in result.passages)  # no external entity was resolved


@pytest.mark.parametrize(
    "name, data",
    [
        ("one-line.txt", b"Q1 5.1," * 100_000),
        ("one-line.md", b"# Title\n\n" + b"supplier " * 500_000),
        ("long-heading.md", b"# " + b"x" * 1_000_000 + b"\n\nbody text here for the passage\n"),
        ("nul.md", b"# Title\n\nsome text\x00more text\n"),
        ("nul.txt", b"\x00" * 100),
        ("utf16-no-bom.txt", "Purchasing procedure\n\n1 Scope\nText".encode("utf-16-le")),
        ("utf16-bad.txt", b"\xff\xfe" + b"\x00\xd8" * 10),
        ("shift-jis.md", "# 購買手順\n\n供給者の評価".encode("shift_jis")),
        ("latin1.txt", "Réception des matières\n\n1 Objet\nContrôle à réception".encode("latin-1")),
        ("control-chars.txt", bytes(range(1, 32)) * 200),
        ("only-headings.md", b"# A\n## B\n### C\n" * 2000),
        ("form-feeds.txt", b"\f" * 100_000),
        ("bidi.md", "# Title\n\n\u202egnp.exe\u202c text".encode()),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_odd_text_files(name, data):
    result = _load(name, data)
    if not isinstance(result, DocumentError):
        assert all("\x00" not in p.text for p in result.passages)


def test_folder_import_reports_each_bad_file_in_one_line_and_keeps_the_good(tmp_path):
    folder = tmp_path / "qms"
    folder.mkdir()
    (folder / "QP-07.md").write_bytes((SAMPLES / "QP-07_purchasing_and_supplier_evaluation.md").read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(500))
    (folder / "bomb.docx").write_bytes(_zip({"word/document.xml": b"<" + b"a" * (64 * 1024 * 1024)}))
    (folder / "binary.txt").write_bytes(b"\x00\x01" * 50)
    result = CliRunner().invoke(main, ["kb", "import", str(folder)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("q1audit: ")]
    assert len(errors) == 3 and {e.split(":")[1].strip() for e in errors} == {"bomb.docx", "broken.pdf", "binary.txt"}
    assert "Traceback" not in result.output
    listed = CliRunner().invoke(main, ["kb", "list", "--json"])
    assert '"QP-07"' in listed.output
