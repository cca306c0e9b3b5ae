"""Audit data stays in its directory: created 0700, no attachment or import escapes it, no symlink is followed out."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from knowledge import SAMPLE_QMS_DIR

SAMPLE = SAMPLE_QMS_DIR / "QP-07_purchasing_and_supplier_evaluation.md"


def cli(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, ["--data-dir", str(home), *args])
    assert (result.exit_code == 0) == ok, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


@pytest.fixture
def session(tmp_path) -> tuple[Path, str]:
    home = tmp_path / "home"
    sid = cli(home, "session", "new", "--title", "Paths", "--scope", "purchasing").split()[-1]
    return home, sid


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside the data directory that must stay untouched."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("not audit data")
    return folder


def _untouched(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "not audit data"


def test_data_directory_is_created_readable_by_its_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        cli(tmp_path / "new" / "home", "session", "list")
        existing = tmp_path / "existing"
        existing.mkdir(mode=0o755)
        cli(existing, "session", "list")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "home").stat().st_mode) == 0o700
    assert stat.S_IMODE(existing.stat().st_mode) == 0o700


def test_an_attached_symlink_is_refused(session, outside, tmp_path):
    home, sid = session
    link = tmp_path / "photo.jpg"
    link.symlink_to(outside / "secret.txt")
    out = cli(home, "session", "answer", sid, "pur_reeval", "yes", "--attach", str(link), ok=False)
    assert "symbolic link" in out
    assert not any((home / "attachments").rglob("*")) if (home / "attachments").exists() else True


@pytest.mark.parametrize("name", ["../outside/secret.txt", "/etc/hostname", "link.txt", "sub/../../outside/secret.txt"])
def test_answers_file_attachments_stay_inside_its_folder(session, outside, tmp_path, name):
    home, sid = session
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "answers.yaml").write_text(json.dumps({"pur_reeval": {"value": "yes", "attachments": [name]}}))
    out = cli(home, "session", "load", sid, str(folder / "answers.yaml"), ok=False)
    assert "nothing was stored" in out
    assert json.loads(cli(home, "session", "show", sid, "--json"))["answers"] == []
    _untouched(outside)


def test_attachments_folder_replaced_by_a_symlink_is_not_written_through(session, outside, tmp_path):
    home, sid = session
    (home / "attachments").mkdir(exist_ok=True)
    (home / "attachments").rmdir()
    (home / "attachments").symlink_to(outside, target_is_directory=True)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    assert "symbolic link" in cli(home, "session", "answer", sid, "pur_reeval", "yes", "--attach", str(photo), ok=False)
    _untouched(outside)


def test_planted_session_attachment_folder_symlink_is_refused(session, outside, tmp_path):
    home, sid = session
    (home / "attachments").mkdir(exist_ok=True)
    (home / "attachments" / sid).symlink_to(outside, target_is_directory=True)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    cli(home, "session", "answer", sid, "pur_reeval", "yes", "--attach", str(photo), ok=False)
    _untouched(outside)


def test_import_never_writes_through_a_planted_document_symlink(tmp_path, outside):
    home = tmp_path / "home"
    cli(home, "kb", "import", str(SAMPLE))
    [stored] = list((home / "documents").iterdir())
    stored.unlink()
    stored.symlink_to(outside / "secret.txt")
    changed = tmp_path / SAMPLE.name
    changed.write_text(SAMPLE.read_text() + "\nA new paragraph so the file counts as changed.\n")
    cli(home, "kb", "import", str(changed))
    _untouched(outside)
    assert not stored.is_symlink() and "A new paragraph" in stored.read_text()


def test_documents_folder_symlink_is_refused(tmp_path, outside):
    home = tmp_path / "home"
    cli(home, "session", "list")
    (home / "documents").symlink_to(outside, target_is_directory=True)
    out = cli(home, "kb", "import", str(SAMPLE), ok=False)
    assert "symbolic link" in out
    _untouched(outside)


def test_folder_import_skips_symlinks_out_of_the_folder(tmp_path, outside):
    home = tmp_path / "home"
    folder = tmp_path / "qms"
    folder.mkdir()
    (outside / "private.md").write_text("# Private\n\nThis file lives outside the folder given to import.\n")
    (folder / "private.md").symlink_to(outside / "private.md")
    (folder / "linked-dir").symlink_to(outside, target_is_directory=True)
    (folder / "QP-07.md").write_bytes(SAMPLE.read_bytes())
    cli(home, "kb", "import", str(folder))
    titles = [d["title"] for d in json.loads(cli(home, "kb", "list", "--json"))]
    assert len(titles) == 1 and "Private" not in titles


@pytest.mark.parametrize("session_id", ["../../outside-001", "2025-001/../../x", "/tmp/2025-001"])
def test_session_import_refuses_ids_that_are_paths(tmp_path, session_id):
    home = tmp_path / "home"
    sid = cli(home, "session", "new", "--title", "Export me", "--scope", "purchasing").split()[-1]
    exported = tmp_path / "export.json"
    cli(home, "export", sid, "-o", str(exported))
    data = json.loads(exported.read_text())
    text = exported.read_text().replace(json.dumps(sid), json.dumps(session_id))
    assert text != exported.read_text() and data
    exported.write_text(text)
    out = cli(tmp_path / "other", "session", "import", str(exported), ok=False)
    assert "q1audit:" in out
    assert json.loads(cli(tmp_path / "other", "session", "list", "--json")) == []
