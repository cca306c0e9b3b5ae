"""What the app says instead of stored ids and shell advice."""

from __future__ import annotations

import pytest

from assistant.tui.labels import for_the_app, grade_label, session_status


@pytest.mark.parametrize(("message", "shown"), [
    ("session 2026-001: confirm or dismiss PUR-006 before closing it (q1audit finding decide)",
     "session 2026-001: confirm or dismiss PUR-006 before closing it in the findings panel (F5)"),
    ("no response pack while findings are undecided (PUR-006); confirm or dismiss them first "
     "(q1audit finding decide 2026-001 ID)",
     "no response pack while findings are undecided (PUR-006); confirm or dismiss them first in the findings "
     "panel (F5)"),
    ("exports/a.pdf already exists; use --force to overwrite it",
     "exports/a.pdf already exists: tick “Overwrite an existing file” to replace it"),
    ("no clause 9.9.9 (q1audit clause --list shows them all)", "no clause 9.9.9"),
    ("no Q1 requirement matches 'x': try a theme (records), a clause such as 5.5, or --all",
     "no Q1 requirement matches 'x': try a theme (records), a clause such as 5.5, or ask how Q1 differs from ISO"),
    ("complete session, importable again (the team's archive: everything, whatever --for says)",
     "complete session, importable again (the team's archive: everything, whoever it is for)"),
])
def test_shell_advice_becomes_what_to_do_in_the_app(message, shown):
    assert for_the_app(message) == shown
    assert "q1audit" not in for_the_app(message) and "--" not in for_the_app(message)


def test_stored_ids_become_words():
    assert session_status("in_progress") == "in progress"
    assert session_status("in_review") == "in review"
    assert grade_label("ofi") == "OFI"
    assert grade_label("ofi", short=False) == "opportunity for improvement"
    assert grade_label("minor") == "minor"
