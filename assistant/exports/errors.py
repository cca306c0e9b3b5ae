"""Errors a user can act on when exporting or importing a session."""

from knowledge.errors import Q1AuditError


class ExportError(Q1AuditError):
    title = "Export failed"


class ImportFileError(Q1AuditError):
    """A session JSON file that cannot be read back (syntax, schema version or a bad field)."""

    title = "Import failed"
