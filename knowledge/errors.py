"""The one exception family of q1audit: errors a user can act on, each with a one-line message."""


class Q1AuditError(Exception):
    """A user-facing error. `str(error)` is one line that names the file, line or field at fault."""

    title = "Error"

    def __init__(self, message: str):
        super().__init__(" ".join(message.split()))
        self.message = str(self)


class DataFileError(Q1AuditError):
    """A YAML or JSON data file (catalogue, crosswalk, checklist, rule pack) is malformed."""

    title = "Bad data file"


class ClauseNotFoundError(Q1AuditError):
    """A clause reference names no clause, or more than one."""

    title = "Clause not found"


class DocumentError(Q1AuditError):
    """A company procedure or standard text could not be read."""

    title = "Document not readable"
