"""The complete, versioned JSON export of a session (`SessionExport`) and its import back into a data dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from assistant.exports.errors import ImportFileError
from assistant.sessions.archive import SessionArchive, read_archive
from assistant.sessions.models import EscalationHint, Finding
from assistant.sessions.service import SessionService
from assistant.sessions.transfer import ImportOutcome, import_archive
from knowledge.input_limits import SESSION_EXPORT, load_json, read_limited_text

if TYPE_CHECKING:
    from assistant.exports.content import ReportContent

SCHEMA_VERSION = 1
"""Raise when a field changes meaning or goes away (adding an optional field does not need it)."""
FORMAT_NAME = "q1audit-session"


class SessionExport(SessionArchive):
    """A session as exported: the stored rows (importable) plus the findings they give, for other tools."""

    format: Literal["q1audit-session"] = FORMAT_NAME
    schema_version: int = SCHEMA_VERSION
    findings: list[Finding]
    """Current findings with decisions and corrective actions; derived, so an import recomputes them.
    `repeat_of` names an earlier audit's finding in the exporting data directory."""
    escalation_hints: list[EscalationHint]


def build_export(service: SessionService, session_id: str) -> SessionExport:
    """The session's rows and findings; a finding that repeats one of an earlier audit here says so."""
    from assistant.programme import RepeatFinder

    archive = read_archive(service, session_id)
    return SessionExport(
        **dict(archive),
        findings=RepeatFinder(service, archive.session.id).flag(service.findings(archive.session.id)),
        escalation_hints=service.escalation_hints(archive.session.id),
    )


def render_json(export: SessionExport) -> str:
    """Sorted keys and no export time: the same session always gives the same bytes."""
    return json.dumps(export.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(export: SessionExport, path: Path) -> None:
    path.write_text(render_json(export), encoding="utf-8", newline="\n")


def write_content_json(content: ReportContent, path: Path) -> None:
    """The export registry's entry point (every writer takes the worked-out content)."""
    write_json(content.export, path)


def read_export(file: str | Path) -> SessionExport:
    """A JSON export read back; a file that is not one raises `ImportFileError` naming the field at fault."""
    path = Path(file)
    try:
        data = load_json(read_limited_text(path, SESSION_EXPORT), path, SESSION_EXPORT)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{path}:{exc.lineno}: JSON syntax error: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ImportFileError(f"{path}: not a q1audit session export (made by `q1audit export ID --format json`)")
    version = data.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= SCHEMA_VERSION:
        raise ImportFileError(
            f"{path}: schema_version {version!r} is not one this q1audit reads (1 to {SCHEMA_VERSION}); "
            "update q1audit to import it"
        )
    try:
        return SessionExport.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "file"
        raise ImportFileError(f"{path}: {field}: {err['msg']}") from None


def import_session(
    service: SessionService, file: str | Path, as_new: bool = False, attachments: Path | None = None
) -> ImportOutcome:
    """Restore the session of a JSON export exactly: header, answers with history, decisions, manual
    findings and corrective actions (the findings themselves are recomputed from the answers).

    A session already here (same uid) is left alone when equal and refused when not; see `import_archive`.
    """
    return import_archive(service, read_export(file), as_new=as_new, attachments=attachments)
