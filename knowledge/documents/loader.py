"""Read a procedure or a licensed standard from disk into a LoadedDocument, whatever its format."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from knowledge.catalogue import Catalogue
from knowledge.clause_refs import find_clause_refs
from knowledge.documents.models import DocumentFormat, LoadedDocument, Passage
from knowledge.documents.sections import Chunk, Parsed, heading_number, split_sections
from knowledge.errors import DocumentError
from knowledge.text_safety import clean_strings

MAX_BYTES = 25 * 1024 * 1024
"""Largest file imported; a procedure is rarely over 5 MB, and a bigger file is more likely a mistake."""
FORMATS: dict[str, DocumentFormat] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".pdf": "pdf",
}
SKIPPED_FOLDERS = {"sources"}
"""Folders of drafts and originals next to the documents, never imported."""
SKIPPED_STEMS = {"readme"}
"""A README describes the folder; it is not a controlled document."""
_OLD_FORMATS = {".doc": ".docx", ".rtf": ".docx", ".odt": ".docx", ".xps": ".pdf"}


def load_document(path: Path, catalogue: Catalogue) -> LoadedDocument:
    """A company document (procedure, manual, form) with its header fields and passages."""
    format_, data = read_checked(path)
    parsed = _parse(format_, data, path.name)
    title = parsed.header.title or _first_heading(parsed) or path.stem
    chunks = split_sections(parsed.sections, title)
    passages = [_passage(i, chunk, catalogue) for i, chunk in enumerate(chunks)]
    if not passages:
        raise DocumentError(f"{path.name}: has no text to import; check it is the right file")
    return _cleaned(LoadedDocument(
        doc_id=parsed.header.doc_id or path.stem,
        title=title,
        revision=parsed.header.revision,
        approved=parsed.header.approved,
        format=format_,
        source_name=path.name,
        content_hash=hashlib.sha256(data).hexdigest(),
        passages=passages,
    ))


def _cleaned(doc: LoadedDocument) -> LoadedDocument:
    """The document without control characters or terminal escapes in any text (titles, headings, the
    file name), and with text in place of bytes that were not UTF-8 in a file name."""
    return LoadedDocument.model_validate(clean_strings(doc.model_dump()))


def load_standard_document(path: Path, standard: str, edition: str, catalogue: Catalogue) -> LoadedDocument:
    """A user's licensed copy of a standard, each passage attached to the catalogue clause it is the text of.

    A passage belongs to the nearest heading above it that is a clause of this edition; text before the
    first such heading (cover, foreword, contents) is dropped.
    """
    edition_file = catalogue.files.get((standard, edition))
    if edition_file is None:
        known = ", ".join(f"{s} {e}" for s, e in catalogue.editions())
        raise DocumentError(f"{path.name}: there is no catalogue edition {standard} {edition}; choose one of {known}")
    format_, data = read_checked(path)
    parsed = _parse(format_, data, path.name)
    # Every clause keeps its own passage, however short: no folding into the clause below.
    chunks = split_sections(parsed.sections, edition_file.full_title, min_words=0)
    passages: list[Passage] = []
    clause_id: str | None = None
    for chunk in chunks:
        number = heading_number(chunk.section_path[-1])
        if number is not None and catalogue.get(standard, edition, number) is not None:
            clause_id = number
        if clause_id is not None:
            passage = _passage(len(passages), chunk, catalogue)
            passages.append(passage.model_copy(update={"clause_id": clause_id}))
    if not passages:
        raise DocumentError(
            f"{path.name}: no heading matches a clause of {standard} {edition} (e.g. '5.5 Purchasing'); "
            "check the edition, or that the file is the standard's text"
        )
    return _cleaned(LoadedDocument(
        doc_id=f"{standard} {edition}",
        title=edition_file.full_title,
        kind="standard",
        standard=standard,
        edition=edition,
        format=format_,
        source_name=path.name,
        content_hash=hashlib.sha256(data).hexdigest(),
        passages=passages,
    ))


def iter_document_files(paths: list[Path]) -> list[Path]:
    """The files to import from files and folders given by the user.

    Folders are walked recursively in sorted order, keeping supported extensions only and skipping
    hidden entries, READMEs, folders named `sources`, and symlinks (which could lead outside the folder
    or loop).
    A file named directly is kept whatever its extension, so that loading it says what is wrong; a
    symlink named directly is refused like one inside a folder (its target could be any file, e.g. a
    key, which would then be indexed and go into every backup).
    """
    found: list[Path] = []
    for path in paths:
        if path.is_symlink():
            raise DocumentError(f"{path}: is a symbolic link; import the file it points to instead")
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_walk(path))
        else:
            raise DocumentError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        base = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS and not (base / d).is_symlink()
        )
        for name in sorted(names):
            file = base / name
            wanted = file.suffix.lower() in FORMATS and file.stem.lower() not in SKIPPED_STEMS
            if wanted and not name.startswith(".") and not file.is_symlink():
                files.append(file)
    return sorted(files)


def read_checked(path: Path) -> tuple[DocumentFormat, bytes]:
    """The file's format and bytes, after checking extension, size and that the content matches the extension."""
    name = path.name
    suffix = path.suffix.lower()
    format_ = FORMATS.get(suffix)
    if format_ is None:
        if suffix in _OLD_FORMATS:
            raise DocumentError(f"{name}: {suffix} files are not supported; save it as {_OLD_FORMATS[suffix]}")
        supported = ", ".join(sorted(FORMATS))
        raise DocumentError(f"{name}: unsupported file type {suffix or '(no extension)'!r}; use one of {supported}")
    try:
        if path.is_dir():
            raise DocumentError(f"{name}: is a folder, not a document")
        size = path.stat().st_size
        if size == 0:
            raise DocumentError(f"{name}: is empty (0 bytes); check it was saved or copied completely")
        if size > MAX_BYTES:
            raise DocumentError(
                f"{name}: is {size / 1024 / 1024:.0f} MB, over the {MAX_BYTES // 1024 // 1024} MB limit; "
                "split it or remove embedded images"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file") from None
    except OSError as exc:
        raise DocumentError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    _check_content(format_, data, name)
    return format_, data


def _check_content(format_: DocumentFormat, data: bytes, name: str) -> None:
    """Refuse a file whose bytes are not what its extension says, before a parser makes garbage of it."""
    is_pdf = b"%PDF-" in data[:1024]
    is_zip = data.startswith(b"PK\x03\x04")
    is_old_word = data.startswith(b"\xd0\xcf\x11\xe0")
    if format_ == "pdf" and not is_pdf:
        raise DocumentError(f"{name}: is not a PDF (no %PDF header); check the file or its extension")
    if format_ == "docx" and is_old_word:
        raise DocumentError(f"{name}: is an old-format Word .doc renamed to .docx; save it as .docx from Word")
    if format_ == "docx" and not is_zip:
        raise DocumentError(f"{name}: is not a .docx (not a ZIP container); check the file or its extension")
    if format_ in ("text", "markdown") and (is_pdf or is_zip or is_old_word):
        actual = "a PDF" if is_pdf else "a ZIP or Word file" if is_zip else "an old Word .doc"
        raise DocumentError(f"{name}: is {actual}, not text; give it the right extension")


def _parse(format_: DocumentFormat, data: bytes, name: str) -> Parsed:
    if format_ == "markdown":
        from knowledge.documents.markdown import read_markdown

        return read_markdown(data, name)
    if format_ == "text":
        from knowledge.documents.text import read_text

        return read_text(data, name)
    if format_ == "docx":
        from knowledge.documents.docx import read_docx

        return read_docx(data, name)
    from knowledge.documents.pdf import read_pdf

    return read_pdf(data, name)


def _first_heading(parsed: Parsed) -> str | None:
    return next((s.heading.strip() for s in parsed.sections if s.level > 0 and s.heading.strip()), None)


def _passage(ordinal: int, chunk: Chunk, catalogue: Catalogue) -> Passage:
    # The heading is scanned too: "Supplier evaluation (API Q1 5.5.1.2)" links every passage below it.
    refs = find_clause_refs(f"{chunk.section_path[-1]}\n{chunk.text}", catalogue)
    return Passage(
        ordinal=ordinal,
        section_path=chunk.section_path,
        page=chunk.page,
        text=chunk.text,
        clause_refs=[str(key) for key in refs],
    )
