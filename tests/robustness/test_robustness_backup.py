"""`q1audit backup` / `restore`: a restored backup gives the same findings, files and documents; bad archives are refused."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.backup import MANIFEST, BackupFile, BackupManifest
from assistant.cli import main
from assistant.locations import resolve_data_dir
from knowledge import SAMPLE_QMS_DIR

SAMPLE = SAMPLE_QMS_DIR / "QP-07_purchasing_and_supplier_evaluation.md"


def cli(home: Path, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, ["--data-dir", str(home), *args])
    assert (result.exit_code == 0) == ok, result.output
    if not ok:
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert result.output.count("\n") == 1 and result.output.startswith("q1audit: ")
    return result.output


@pytest.fixture
def audited(tmp_path) -> Path:
    """A data directory with an imported procedure, a session with answers, an attachment, decisions and a manual finding."""
    home = tmp_path / "original"
    cli(home, "kb", "import", str(SAMPLE))
    sid = cli(home, "session", "new", "--title", "Purchasing", "--scope", "purchasing", "--start", "2025-03-11").split()[-1]
    photo = tmp_path / "po 4711.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo bytes")
    cli(home, "session", "answer", sid, "pur_reeval", "partial - two suppliers overdue", "--attach", str(photo))
    cli(home, "session", "answer", sid, "pur_reeval_sampled", "5")
    cli(home, "session", "answer", sid, "pur_reeval_done", "3")
    cli(home, "session", "answer", sid, "pur_po_information", "no - PO-24-0211 lacks the spec revision")
    findings = json.loads(cli(home, "findings", sid, "--json"))
    assert findings
    cli(home, "finding", "decide", sid, findings[0]["id"], "--confirm")
    cli(home, "finding", "add", sid, "--grade", "minor", "--clause", "Q1 5.6.1.1", "--text", "Supplier list out of date")
    return home


def _session_id(home: Path) -> str:
    return json.loads(cli(home, "session", "list", "--json"))[0]["id"]


def test_restored_backup_gives_the_same_findings_files_and_documents(audited, tmp_path):
    archive = tmp_path / "audit.tar.gz"
    out = cli(audited, "backup", str(archive))
    assert "1 sessions, 1 documents" in out
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    sid = _session_id(audited)

    restored = tmp_path / "restored"
    cli(restored, "restore", str(archive))
    assert cli(restored, "findings", sid, "--json") == cli(audited, "findings", sid, "--json")
    assert cli(restored, "session", "history", sid, "pur_reeval") == cli(audited, "session", "history", sid, "pur_reeval")
    assert json.loads(cli(restored, "kb", "list", "--json")) == json.loads(cli(audited, "kb", "list", "--json"))
    for folder in ("attachments", "documents"):
        before = {p.relative_to(audited): p.read_bytes() for p in (audited / folder).rglob("*") if p.is_file()}
        after = {p.relative_to(restored): p.read_bytes() for p in (restored / folder).rglob("*") if p.is_file()}
        assert before and before == after
    # The index is a cache left out of the backup: search rebuilds it.
    assert json.loads(cli(restored, "index", "status", "--json"))["state"] == "missing"


def test_restore_refuses_to_overwrite_without_force(audited, tmp_path):
    archive = tmp_path / "audit.tar.gz"
    cli(audited, "backup", str(archive))
    sid = _session_id(audited)
    cli(audited, "session", "answer", sid, "pur_reeval_done", "4")
    changed = cli(audited, "findings", sid, "--json")

    assert "--force" in cli(audited, "restore", str(archive), ok=False)
    assert cli(audited, "findings", sid, "--json") == changed
    cli(audited, "restore", str(archive), "--force")
    assert cli(audited, "findings", sid, "--json") != changed
    assert [c["new"]["value"] for c in _history(audited, sid, "pur_reeval_done")] == [3]


def _history(home: Path, sid: str, question: str) -> list[dict]:
    from assistant.sessions.service import SessionService

    service = SessionService(resolve_data_dir(home))
    try:
        return [c.model_dump(mode="json") for c in service.history(sid, question)]
    finally:
        service.disconnect()


def test_backup_refuses_to_overwrite_and_to_write_inside_the_data_dir(audited, tmp_path):
    archive = tmp_path / "audit.tar.gz"
    archive.write_text("keep me")
    assert "--force" in cli(audited, "backup", str(archive), ok=False)
    assert archive.read_text() == "keep me"
    assert "inside the data directory" in cli(audited, "backup", str(audited / "exports" / "b.tar.gz"), ok=False)
    cli(audited, "backup", str(archive), "--force")
    assert tarfile.is_tarfile(archive)


def test_backup_of_an_empty_data_directory_restores_to_empty(tmp_path):
    archive = tmp_path / "empty.tar.gz"
    cli(tmp_path / "empty", "backup", str(archive))
    cli(tmp_path / "other", "restore", str(archive))
    assert json.loads(cli(tmp_path / "other", "session", "list", "--json")) == []


def _tamper(archive: Path, target: Path, change) -> None:
    """Copy `archive` to `target`, letting `change(members)` edit the (TarInfo, bytes) list on the way."""
    with tarfile.open(archive) as src:
        members = [(m, src.extractfile(m).read() if m.isfile() else b"") for m in src.getmembers()]
    members = change(members)
    with tarfile.open(target, "w:gz") as out:
        for info, data in members:
            info.size = len(data)
            out.addfile(info, io.BytesIO(data) if info.isfile() else None)


def _add_to_manifest(members, name: str, data: bytes):
    import hashlib

    manifest_info, raw = members[0]
    manifest = BackupManifest.model_validate_json(raw)
    manifest.files.append(BackupFile(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    return [(manifest_info, manifest.model_dump_json().encode()), *members[1:]]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda ms: [(i, d + b"x" if i.name == "audits.db" else d) for i, d in ms], "checksum"),
        (lambda ms: [(i, d) for i, d in ms if i.name != "audits.db"], "missing"),
        (lambda ms: [(i, d) for i, d in ms if i.name != MANIFEST], "not a q1audit backup"),
        (lambda ms: [*_add_to_manifest(ms, "../escaped.txt", b"boo"), (tarfile.TarInfo("../escaped.txt"), b"boo")],
         "outside"),
        (lambda ms: [*_add_to_manifest(ms, "attachments/x/../../../escaped.txt", b"boo"),
                     (tarfile.TarInfo("attachments/x/../../../escaped.txt"), b"boo")], "outside"),
        (lambda ms: [*ms, (tarfile.TarInfo("attachments/extra.txt"), b"not listed")], "unexpected member"),
    ],
    ids=["altered-db", "missing-db", "no-manifest", "dot-dot", "nested-dot-dot", "unlisted"],
)
def test_damaged_or_hostile_archives_are_refused_before_any_change(audited, tmp_path, change, message):
    archive = tmp_path / "audit.tar.gz"
    cli(audited, "backup", str(archive))
    bad = tmp_path / "bad.tar.gz"
    _tamper(archive, bad, change)
    target = tmp_path / "target"
    assert message in cli(target, "restore", str(bad), ok=False)
    assert not (tmp_path / "escaped.txt").exists()
    assert json.loads(cli(target, "session", "list", "--json")) == []


def test_symlinked_member_and_truncated_archive_are_refused(audited, tmp_path):
    archive = tmp_path / "audit.tar.gz"
    cli(audited, "backup", str(archive))

    def symlink(members):
        link = tarfile.TarInfo("attachments/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        return [*_add_to_manifest(members, "attachments/link", b""), (link, b"")]

    bad = tmp_path / "link.tar.gz"
    _tamper(archive, bad, symlink)
    assert "unexpected member" in cli(tmp_path / "t1", "restore", str(bad), ok=False)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "q1audit:" in cli(tmp_path / "t2", "restore", str(truncated), ok=False)
    assert not (tmp_path / "t2" / "attachments").exists() or not any((tmp_path / "t2" / "attachments").iterdir())


def test_backup_does_not_follow_symlinks_out_of_the_data_directory(audited, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    (audited / "attachments" / "planted").symlink_to(secret)
    (audited / "documents" / "planted-dir").symlink_to(tmp_path, target_is_directory=True)
    archive = tmp_path / "audit.tar.gz"
    cli(audited, "backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert not any("planted" in n for n in names)
        assert all(b"private key" not in tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
