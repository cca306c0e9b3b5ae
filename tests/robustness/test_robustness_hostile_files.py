"""Regression tests for the reliability review's defects: each test is named after what it guards."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.sessions.answer_files import read_answers_file
from assistant.sessions.identity import new_uid
from assistant.sessions.models import Scope, SessionHeader
from assistant.sessions.service import SessionService
from knowledge.input_limits import InputLimitError
from knowledge.text_safety import clean_terminal_output

ROOT = Path(__file__).resolve().parents[2]
PROCEDURE = "Document No: {doc}\n\n# {title}\n\n## 1 Purpose\n\nSuppliers are evaluated per API Q1 5.5.1.2. {extra}\n"


def _alias_bomb(levels: int = 8) -> str:
    return ("a0: &r0 [" + ",".join(['"PO-1"'] * 10) + "]\n"
            + "".join(f"a{i}: &r{i} [" + ",".join([f"*r{i - 1}"] * 10) + "]\n" for i in range(1, levels + 1))
            + f"pur_po_sampled: *r{levels}\n")


@pytest.fixture
def cli(isolated_home, monkeypatch):
    monkeypatch.setenv("Q1AUDIT_EMBEDDER", "hashing")
    runner = CliRunner()

    def run(*args: str, **kwargs):
        return runner.invoke(main, list(args), catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def session(isolated_home) -> tuple[SessionService, str]:
    service = SessionService(isolated_home)
    sid = service.create(SessionHeader(title="t", scope=Scope(processes=["purchasing"]))).id
    yield service, sid
    service.disconnect()


# --- one loader per format, with limits ------------------------------------------------------------


def test_a_yaml_alias_bomb_in_an_answers_file_is_refused_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb())
    with pytest.raises(InputLimitError, match=r"bomb\.yaml: stands for over 200,000 values"):
        read_answers_file(bomb)


@pytest.mark.parametrize("name, text", [
    ("deep.json", '{"pur_procedure": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("deep.yaml", "pur_procedure: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("deep40.json", '{"pur_procedure": ' + "[" * 40 + "]" * 40 + "}"),
])
def test_deeply_nested_answers_files_are_refused_not_a_recursion_error(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputLimitError, match="nested deeper than 20 levels"):
        read_answers_file(path)


def test_a_deeply_nested_session_export_is_refused_in_one_line(cli, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = cli("session", "import", str(path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"q1audit: {path}: nested deeper than 40 levels, the limit for a session export"]


def test_a_yaml_alias_bomb_in_a_rule_pack_is_refused_in_one_line(tmp_path):
    from knowledge.yaml_files import read_yaml

    pack = tmp_path / "pack.yaml"
    pack.write_text(_alias_bomb(levels=9))
    with pytest.raises(InputLimitError, match="stands for over 1,000,000 values"):
        read_yaml(pack)


def test_a_yaml_alias_bomb_in_document_front_matter_is_refused(tmp_path):
    from knowledge.catalogue import load_catalogue
    from knowledge.documents.loader import load_document

    doc = tmp_path / "front.md"
    doc.write_text("---\n" + _alias_bomb(levels=5) + "---\n# Title\n\nSome text about suppliers.\n")
    with pytest.raises(InputLimitError, match="front matter"):
        load_document(doc, load_catalogue())


def test_an_answers_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import knowledge.input_limits as limits

    monkeypatch.setattr(limits, "ANSWERS_FILE", limits.InputLimits("answers file", 1000, 20, 1000, 5))
    monkeypatch.setattr("assistant.sessions.answer_files.ANSWERS_FILE", limits.ANSWERS_FILE)
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"pur_procedure": "x" * 2000}))
    with pytest.raises(InputLimitError, match="over the 1 KB limit for an answers file"):
        read_answers_file(big)


# --- text from others: markup, escapes, NUL ---------------------------------------------------------


def test_rich_markup_in_a_document_title_does_not_break_kb_list(cli, tmp_path):
    doc = tmp_path / "bad.md"
    doc.write_text(PROCEDURE.format(doc="X-1", title="[/red]Title [draft]", extra=""))
    assert cli("kb", "import", str(doc)).exit_code == 0
    listed = cli("kb", "list")
    assert listed.exit_code == 0
    assert "[/red]Title [draft]" in listed.output


def test_terminal_escapes_and_nul_are_removed_from_answers_file_text(session, tmp_path):
    service, sid = session
    answers = tmp_path / "esc.json"
    answers.write_text(json.dumps({"pur_procedure": {
        "value": "no - a\u0000b \u001b]0;PWNED\u0007title \u001b[2Jclear",
        "note": "\u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007 \ud800",
    }}))
    [record] = service.load_answers(sid, answers)
    stored = json.dumps(record.model_dump(mode="json"))
    for bad in ("\\u0000", "\\u001b", "\\u0007", "PWNED", "evil.example", "\\ud800"):
        assert bad not in stored


def test_terminal_output_keeps_colours_but_drops_every_other_escape():
    assert clean_terminal_output("\x1b[1mbold\x1b[0m") == "\x1b[1mbold\x1b[0m"
    assert clean_terminal_output("a\x1b]0;title\x07b\x1b[2Jc\x1b]52;c;ZXZpbA==\x07d") == "abcd"
    assert clean_terminal_output("tab\tline\n\x00nul\x9b2J") == "tab\tline\nnul"


# --- documents ---------------------------------------------------------------------------------------


def test_a_symlink_named_on_the_command_line_is_not_imported(cli, tmp_path, isolated_home):
    secret = tmp_path / "secret.txt"
    secret.write_text(PROCEDURE.format(doc="SECRET", title="Secret", extra=""))
    link = tmp_path / "link.md"
    link.symlink_to(secret)
    result = cli("kb", "import", str(link))
    assert result.exit_code == 1
    assert "is a symbolic link" in result.output
    assert not list(isolated_home.documents_dir.glob("*SECRET*"))


def test_a_file_name_that_is_not_utf8_does_not_stop_a_folder_import(cli, tmp_path, isolated_home):
    folder = tmp_path / "usb"
    folder.mkdir()
    for n, stem in enumerate(("a_first", os.fsdecode(b"m-\xff"), "z_last")):
        # No `Document No:`: the document id comes from the file name, bytes that are not UTF-8 included.
        (folder / f"{stem}.md").write_text(f"# Title {n}\n\n## 1 Purpose\n\nSuppliers are evaluated, {n}.\n")
    result = cli("kb", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.count("added") == 3
    names = sorted(p.name for p in isolated_home.documents_dir.iterdir())
    assert names == ["a_first.md", "m-.md", "z_last.md"]


def test_a_document_number_claimed_by_another_file_is_not_replaced_silently(cli, tmp_path):
    real = tmp_path / "qp07.md"
    real.write_text(PROCEDURE.format(doc="QP-07", title="Purchasing", extra="real"))
    stray = tmp_path / "innocent.md"
    stray.write_text(PROCEDURE.format(doc="QP-07", title="Innocent", extra="stray"))
    assert cli("kb", "import", str(real)).exit_code == 0
    refused = cli("kb", "import", str(stray))
    assert refused.exit_code == 1
    assert "says it is QP-07" in refused.output and "not imported" in refused.output
    assert "Purchasing" in cli("kb", "list").output
    assert cli("kb", "import", "--yes", str(stray)).exit_code == 0
    assert "Innocent" in cli("kb", "list").output


def test_a_large_import_says_what_it_costs_and_asks_first(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("index.importer.LARGE_IMPORT_PASSAGES", 0)
    monkeypatch.setattr("assistant.cli.kb_cmd.expected_model_name", lambda: "minilm", raising=False)
    doc = tmp_path / "big.md"
    doc.write_text(PROCEDURE.format(doc="BIG-1", title="Big", extra=""))
    declined = cli("kb", "import", str(doc))
    assert "1 passages" in declined.output and "to index: continue? no" in declined.output
    assert declined.exit_code == 1
    assert cli("kb", "import", "--yes", str(doc)).exit_code == 0


def test_a_typed_note_loses_its_terminal_escapes_before_it_is_stored(cli, isolated_home):
    sid = cli("session", "new", "--title", "t", "--scope", "purchasing").output.strip()
    done = cli("session", "answer", sid, "pur_records_kept", "y \x1b[31mRED\x07\x08", "--note", "\x1b[8mhidden\x1b]0;t\x07")
    assert done.exit_code == 0
    service = SessionService(isolated_home)
    try:
        record = service.answers(sid)["pur_records_kept"]
    finally:
        service.disconnect()
    assert "\x1b" not in (record.note or "") and "\x07" not in (record.note or "")
    assert "RED" in record.note and "hidden" in record.note


def test_a_nul_byte_in_a_yaml_answers_file_is_one_line_not_a_traceback(cli, tmp_path):
    sid = cli("session", "new", "--title", "t", "--scope", "purchasing").output.strip()
    answers = tmp_path / "nul.yaml"
    answers.write_bytes(b'pur_procedure: "no \x00 x"\n')
    done = CliRunner().invoke(main, ["session", "load", sid, str(answers)])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)  # not a YAML ReaderError
    assert "nul.yaml" in done.output and "special characters are not allowed" in done.output


def test_a_backup_removes_stale_partials_that_killed_backups_left_beside_its_target(cli, tmp_path):
    target = tmp_path / "b.tar.gz"
    stale, fresh = tmp_path / ".b.tar.gz.abc123.partial", tmp_path / ".b.tar.gz.def456.partial"
    other = tmp_path / ".other.tar.gz.abc123.partial"
    for path in (stale, fresh, other):
        path.write_bytes(b"half an archive")
    old = os.stat(stale).st_mtime - 7200
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert cli("backup", str(target)).exit_code == 0
    assert not stale.exists()
    assert fresh.exists() and other.exists()  # another backup may still be writing; another name is not ours


def test_an_export_removes_stale_partials_that_killed_exports_left_beside_its_target(cli, tmp_path):
    sid = cli("session", "new", "--title", "t", "--scope", "purchasing").output.strip()
    target = tmp_path / "r.json"
    stale, fresh = tmp_path / ".r.json.partial-111", tmp_path / ".r.json.partial-222"
    for path in (stale, fresh):
        path.write_bytes(b"half a report")
    old = os.stat(stale).st_mtime - 7200
    os.utime(stale, (old, old))
    assert cli("export", sid, "--format", "json", "-o", str(target)).exit_code == 0
    assert not stale.exists() and fresh.exists()


def test_a_file_large_by_its_size_is_asked_about_before_it_is_read(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("index.importer.LARGE_IMPORT_PASSAGES", 2)
    monkeypatch.setattr("assistant.cli.kb_cmd.expected_model_name", lambda: "minilm", raising=False)
    doc = tmp_path / "big.md"
    doc.write_text(PROCEDURE.format(doc="BIG-1", title="Big", extra="Gauges are calibrated. " * 400))
    read = []
    real_load = __import__("index.importer", fromlist=["load_document"]).load_document
    monkeypatch.setattr("index.importer.load_document", lambda *a: read.append(a) or real_load(*a))
    declined = cli("kb", "import", str(doc))
    assert declined.exit_code == 1
    assert "big.md (0.0 MB): about 6 passages by its size" in declined.output
    assert "to index: continue? no" in declined.output and read == []  # refused before it was read
    accepted = cli("kb", "import", "--yes", str(doc))
    assert accepted.exit_code == 0 and len(read) == 1
    assert accepted.output.count("continue?") == 1  # the size was accepted: not asked again once read
    assert "reading big.md..." in accepted.output


def test_a_file_over_the_limits_is_refused_without_a_question(cli, tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        out.truncate(30 * 1024 * 1024)  # sparse: no 30 MB written
    done = cli("kb", "import", str(big))
    assert done.exit_code == 1
    assert "over the 25 MB limit" in done.output and "continue?" not in done.output


def test_a_word_file_is_sized_by_its_unpacked_text_without_inflating_it(tmp_path):
    import zipfile

    import docx

    from knowledge.documents.estimate import BYTES_PER_PASSAGE, estimate_passages
    from knowledge.errors import DocumentError

    document = docx.Document()
    for _ in range(300):
        document.add_paragraph("Suppliers are evaluated every year and gauges are calibrated. " * 5)
    document.save(tmp_path / "p.docx")
    xml = zipfile.ZipFile(tmp_path / "p.docx").getinfo("word/document.xml").file_size
    assert estimate_passages(tmp_path / "p.docx") == xml // BYTES_PER_PASSAGE > 0
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DocumentError, match="damaged or truncated"):  # refused as reading it would: nothing asked
        estimate_passages(tmp_path / "broken.docx")


def test_ask_never_starts_a_long_index_rebuild_silently(isolated_home, monkeypatch):
    from index.costs import LongRebuildError, check_inline_rebuild
    from index.store import KnowledgeStore

    store = KnowledgeStore(isolated_home.knowledge_db)
    from index.search import catalogue_passages
    from knowledge.catalogue import load_catalogue

    store.sync_builtin("@catalogue", "Clause catalogue", catalogue_passages(load_catalogue()))
    monkeypatch.setattr("index.costs.LONG_REBUILD_PASSAGES", 10)
    monkeypatch.setattr("index.costs.EMBED_PASSAGES_PER_SECOND", 1.0)
    with pytest.raises(LongRebuildError, match="run `q1audit index build` first"):
        check_inline_rebuild(store, "all-MiniLM-L6-v2")
    monkeypatch.setattr("index.costs.LONG_REBUILD_PASSAGES", 100_000)
    assert "passages and clause facets to embed" in check_inline_rebuild(store, "all-MiniLM-L6-v2")


def test_the_rebuild_estimate_counts_the_clause_facets_a_fresh_data_directory_embeds(isolated_home):
    from index.costs import pending_embeddings
    from index.facets import clause_facets, hashed_texts
    from index.search import catalogue_passages
    from index.store import KnowledgeStore
    from knowledge.catalogue import load_catalogue

    catalogue = load_catalogue()
    store = KnowledgeStore(isolated_home.knowledge_db)
    store.sync_builtin("@catalogue", "Clause catalogue", catalogue_passages(catalogue))
    facets = clause_facets(catalogue)
    passages = pending_embeddings(store, "all-MiniLM-L6-v2")
    unique = len(dict(hashed_texts(facets)))
    assert pending_embeddings(store, "all-MiniLM-L6-v2", facets) == passages + unique
    cached = hashed_texts(facets)[:10]
    store.db["embeddings"].insert_all(
        {"model": "all-MiniLM-L6-v2", "content_hash": h, "vector": b"\0" * 1536} for h, _ in cached
    )
    assert pending_embeddings(store, "all-MiniLM-L6-v2", facets) == passages + unique - len(dict(cached))


# --- attachments, backup, restore ----------------------------------------------------------------------


def _answers_with_photos(folder: Path, count: int = 2) -> Path:
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"p{i}.jpg").write_bytes(os.urandom(1000 + i))
    answers = folder / "answers.json"
    answers.write_text(json.dumps({"pur_procedure": {"value": "yes", "attachments": [f"p{i}.jpg" for i in range(count)]}}))
    return answers


def test_reloading_an_answers_file_does_not_copy_its_attachments_again(session, tmp_path, isolated_home):
    service, sid = session
    answers = _answers_with_photos(tmp_path / "a")
    service.load_answers(sid, answers)
    [again] = service.load_answers(sid, answers)
    assert len(again.attachments) == 2
    assert len(list((isolated_home.attachments_dir / sid).iterdir())) == 2


def test_orphan_attachments_of_a_killed_load_are_swept_and_never_backed_up(session, tmp_path, isolated_home):
    import tarfile

    from assistant.backup import backup
    from assistant.recovery import recover

    service, sid = session
    service.load_answers(sid, _answers_with_photos(tmp_path / "a", 1))
    folder = isolated_home.attachments_dir / sid
    (folder / "pur_reeval_orphan.jpg").write_bytes(b"copied, answer never committed")
    (folder / ".partial-abc").write_bytes(b"torn")
    archive = tmp_path / "b.tar.gz"
    backup(isolated_home, archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert not any("orphan" in n or ".partial" in n for n in names)
    assert recover(isolated_home, grace_s=3600).orphans_removed == 0  # may belong to a q1audit still running
    assert recover(isolated_home, grace_s=0).orphans_removed == 2
    assert [p.name for p in folder.iterdir()] == ["pur_procedure_p0.jpg"]


def test_a_restore_killed_between_folder_swaps_is_finished_by_the_next_start(session, tmp_path, isolated_home, monkeypatch):
    import assistant.backup as backup_module
    from assistant.recovery import recover

    service, sid = session
    service.load_answers(sid, _answers_with_photos(tmp_path / "a", 1))
    archive = tmp_path / "b.tar.gz"
    backup_module.backup(isolated_home, archive)
    real = backup_module.replace_folder
    calls = []

    def killed_after_documents(staged, live):
        calls.append(live.name)
        if live.name == "attachments":
            live.rename(live.with_name(f".{live.name}.old"))  # killed right after moving the live folder aside
            raise KeyboardInterrupt
        real(staged, live)

    monkeypatch.setattr(backup_module, "replace_folder", killed_after_documents)
    with pytest.raises(KeyboardInterrupt):
        backup_module.restore(isolated_home, archive, force=True)
    assert not isolated_home.attachments_dir.exists()
    monkeypatch.setattr(backup_module, "replace_folder", real)
    assert recover(isolated_home).restore_finished
    assert [p.name for p in (isolated_home.attachments_dir / sid).iterdir()] == ["pur_procedure_p0.jpg"]
    assert not any(p.name.startswith((".restore-", ".attachments")) for p in isolated_home.root.iterdir())


def test_a_corrupt_database_inside_a_backup_is_refused_in_one_line(session, tmp_path, isolated_home):
    import hashlib
    import io
    import tarfile

    from assistant.backup import BackupError, restore

    member = b"this is not a database" * 100
    manifest = {"format": "q1audit-backup/1", "created_at": "2026-01-01T00:00:00Z", "sessions": 0, "documents": 0,
                "files": [{"name": "audits.db", "size": len(member), "sha256": hashlib.sha256(member).hexdigest()}]}
    archive = tmp_path / "bad.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), ("audits.db", member)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="audits.db fails SQLite's integrity check"):
        restore(isolated_home, archive, force=True)


def test_exports_are_readable_by_their_owner_only(cli, session, tmp_path):
    _, sid = session
    out = tmp_path / "report.json"
    assert cli("export", sid, "--format", "json", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


# --- rules and session ids ---------------------------------------------------------------------------


def test_a_huge_duration_literal_in_a_rule_condition_is_one_line():
    from rules.expressions import DataType, ExpressionError, compile_condition

    with pytest.raises(ExpressionError, match="out of range"):
        compile_condition('audit_date + t"P99999999999D" > audit_date', {"audit_date": DataType.DATETIME})


def test_session_numbers_never_roll_over_to_seven_digits(session):
    service, sid = session
    year = sid.split("-")[0]
    service.db["sessions"].insert({**service.db["sessions"].get(sid), "id": f"{year}-999999", "seq": 999_999,
                                   "uid": new_uid()})
    new = service.create(SessionHeader(title="next", scope=Scope(processes=["purchasing"])))
    assert new.id == f"{year}-002"


# --- the CLI guard -------------------------------------------------------------------------------------


def test_invalid_utf8_in_an_argument_is_one_line_not_a_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "Q1AUDIT_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "assistant", "session", "show", b"2026-\xff"],
                          env=env, capture_output=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.decode().startswith("q1audit: argument '2026-\\xff' is not valid UTF-8")
    assert b"Traceback" not in done.stderr


def test_an_unusable_data_dir_is_one_line_with_exit_code_2(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = CliRunner().invoke(main, ["--data-dir", str(a_file / "sub"), "session", "list"])
    assert result.exit_code == 2
    assert result.output.strip() == f"q1audit: {a_file / 'sub'}: a part of this path is a file, not a folder; choose another path"


def test_a_full_disk_is_one_line_naming_the_path(cli, monkeypatch, isolated_home):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(isolated_home.audits_db))

    monkeypatch.setattr("assistant.sessions.service.SessionService.create", full)
    result = cli("session", "new", "--title", "x", "--scope", "purchasing")
    assert result.exit_code == 2
    assert result.output.strip() == f"q1audit: {isolated_home.audits_db}: the disk is full; free some space and run the command again (nothing was changed)"


def test_read_commands_work_on_a_read_only_data_dir(cli, session, monkeypatch, isolated_home):
    _, sid = session
    real_access = os.access
    root = str(isolated_home.root)
    monkeypatch.setattr("knowledge.sqlite_files.os.access",
                        lambda path, mode: False if mode == os.W_OK and str(path).startswith(root) else real_access(path, mode))
    assert sid in cli("session", "list").output
    assert cli("kb", "list").exit_code == 0
    refused = cli("session", "new", "--title", "x", "--scope", "purchasing")
    assert refused.exit_code == 2 and "read-only" in refused.output


def test_an_orphan_document_copy_of_a_killed_import_is_swept_but_never_without_its_database(cli, tmp_path, isolated_home):
    from assistant.recovery import recover

    doc = tmp_path / "qp.md"
    doc.write_text(PROCEDURE.format(doc="QP-01", title="Kept", extra=""))
    assert cli("kb", "import", str(doc)).exit_code == 0
    documents = isolated_home.documents_dir
    (documents / "NEW-1.md").write_text("renamed in, row never committed")
    (documents / ".NEW-2.md.abc.partial").write_text("torn")
    moved = isolated_home.knowledge_db.rename(tmp_path / "away.db")
    assert recover(isolated_home, grace_s=0).orphans_removed == 0
    moved.rename(isolated_home.knowledge_db)
    assert recover(isolated_home, grace_s=0).orphans_removed == 2
    assert [p.name for p in documents.iterdir()] == ["QP-01.md"]
