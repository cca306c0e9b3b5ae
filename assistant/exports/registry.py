"""Export formats by name, and `export_session`: one session to one file, never overwriting unless forced."""

from __future__ import annotations

import importlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from assistant.exports.errors import ExportError
from assistant.exports.safety import safe_filename
from assistant.sessions.models import Session
from assistant.sessions.service import SessionService
from knowledge.durable_files import create_private


class ExportFormat(NamedTuple):
    writer: str
    """`module:function` taking (ReportContent, Path); imported only when the format is used."""
    suffix: str
    description: str
    report: bool = False
    """Reports carry the time they were made; finding lists stay byte-identical between runs."""


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("assistant.exports.csv_export:write_csv", ".csv", "finding list, CSV"),
    "xlsx": ExportFormat(
        "assistant.exports.xlsx_export:write_findings_xlsx", ".xlsx", "finding list, answers and audit header, Excel"
    ),
    "json": ExportFormat(
        "assistant.exports.json_export:write_content_json", ".json", "complete session, importable again (the team's archive: everything, whatever --for says)"
    ),
    "md": ExportFormat("assistant.exports.markdown_export:write_markdown", ".md", "finding list, Markdown"),
    "html": ExportFormat("assistant.exports.html_export:write_html", ".html", "audit report, HTML", True),
    "pdf": ExportFormat("assistant.exports.pdf_export:write_pdf", ".pdf", "audit report, PDF", True),
    "docx": ExportFormat("assistant.exports.docx_export:write_report_docx", ".docx", "audit report, Word", True),
    "response-xlsx": ExportFormat(
        "assistant.exports.xlsx_export:write_response_xlsx", ".xlsx", "API response pack per nonconformity, Excel"
    ),
    "response-docx": ExportFormat(
        "assistant.exports.docx_export:write_response_docx", ".docx", "API response pack per nonconformity, Word", True
    ),
}
ALIASES = {"markdown": "md", "excel": "xlsx", "word": "docx"}


def resolve_format(fmt: str | None, out_path: str | Path | None = None) -> str:
    """A format name, or the one the output file's extension implies (`.pdf` -> pdf)."""
    if fmt is None:
        suffix = Path(out_path).suffix.lower() if out_path else ""
        matches = [name for name, f in FORMATS.items() if f.suffix == suffix and not name.startswith("response")]
        if not matches:
            raise ExportError(f"say which format with --format ({', '.join(FORMATS)}); {suffix or 'no extension'} does not tell")
        return matches[0]
    name = ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
    if name == "response-pack":
        name = "response-docx" if out_path and Path(out_path).suffix.lower() == ".docx" else "response-xlsx"
    if name not in FORMATS:
        raise ExportError(f"no export format {fmt!r}; formats are: {', '.join(FORMATS)}")
    return name


def default_filename(session: Session, fmt: str, audience: str = "auditee") -> str:
    """`2025-003-Purchasing-audit-Acme.pdf`: id and title, with the title made safe as a file name.

    The team's copy is named `...-team.pdf`, so it is not sent out by mistake in place of the auditee's.
    """
    name = resolve_format(fmt)
    spec = FORMATS[name]
    kind = "-response" if name.startswith("response") else ""
    team = "-team" if audience == "team" and not name.startswith("response") else ""
    return f"{safe_filename(session.id)}-{safe_filename(session.header.title)}{kind}{team}{spec.suffix}"


def export_session(
    service: SessionService,
    session_id: str,
    fmt: str | None,
    out_path: str | Path | None = None,
    force: bool = False,
    audience: str = "auditee",
) -> Path:
    """Write one session in one format, for the auditee or the audit team, and return the file written.

    Without `out_path` the file goes to the data directory's `exports/` folder under a name made from
    the session id and title. An existing file is replaced only with `force`; the new file is written
    beside it first, so a failed export leaves the old one untouched. A response pack is refused while
    any finding is undecided: the auditee answers only findings the team has confirmed.
    """
    from assistant.exports.content import AUDIENCES, build_content
    from assistant.exports.json_export import build_export
    from knowledge.catalogue import load_catalogue

    name = resolve_format(fmt, out_path)
    spec = FORMATS[name]
    if audience not in AUDIENCES:
        raise ExportError(f"--for {audience}: say auditee or team")
    session = service.get(session_id)
    target = Path(out_path) if out_path else service.paths.exports_dir / default_filename(session, name, audience)
    target = target.expanduser()
    _check_target(target, force)
    content = build_content(build_export(service, session.id), service.engine.checklist, load_catalogue(),
                            audience="auditee" if name.startswith("response") else audience,
                            attachments_dir=service.paths.attachments_dir)
    if name.startswith("response") and content.draft:
        named = ", ".join(content.undecided[:8]) + (f" and {len(content.undecided) - 8} more" if len(content.undecided) > 8 else "")
        raise ExportError(f"no response pack while findings are undecided ({named}); "
                          f"confirm or dismiss them first (q1audit finding decide {session.id} ID)")
    if spec.report:
        content = content.with_timestamp(datetime.now(UTC).replace(microsecond=0))
    module_name, attr = spec.writer.split(":")
    writer = getattr(importlib.import_module(module_name), attr)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        create_private(partial)
        writer(content, partial)
        _check_target(target, force)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name with -o")
    if target.exists() and not force:
        raise ExportError(f"{target} already exists; use --force to overwrite it")
