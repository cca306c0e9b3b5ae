"""Errors a user can act on when working with audit sessions."""

from knowledge.errors import DataFileError, Q1AuditError


class SessionError(Q1AuditError):
    title = "Audit session"


class SessionNotFoundError(SessionError):
    title = "No such session"


class SessionClosedError(SessionError):
    """Every write to a closed session raises this: a closed audit is a record and stays as it was."""

    title = "Session closed"


class FindingNotFoundError(SessionError):
    title = "No such finding"


class AttachmentError(SessionError):
    title = "Attachment not copied"


class AnswerFileError(DataFileError):
    """A bulk answers file with bad entries; `problems` holds one line per entry, nothing was stored."""

    title = "Answers not loaded"

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more; nothing was stored)" if len(problems) > 1 else " (nothing was stored)"
        super().__init__(problems[0] + more)
