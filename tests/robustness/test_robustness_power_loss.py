"""The power-loss model of the crash harness catches a missing fsync or a commit SQLite never synced,
and q1audit's writes pass it: what they acknowledged is in the image of the disk after a power cut."""

from __future__ import annotations

import hashlib
import importlib
import os
import sqlite3
from pathlib import Path

import pytest

from knowledge.durable_files import copy_to_fd, fsync_dir, make_folder
from knowledge.sqlite_files import connect


def _load(name: str):
    # Imported once and kept: SQLite may still call into a VFS's ctypes callbacks after a test.
    return importlib.import_module(f"benchmarks.{name}")


@pytest.fixture
def power_loss(monkeypatch):
    for wrapped in ("fsync", "replace", "rename"):  # the model wraps them; put them back afterwards
        monkeypatch.setattr(os, wrapped, getattr(os, wrapped))
    return _load("power_loss")


@pytest.fixture
def power_cut_vfs():
    """SQLite's default VFS in this process is the fault-injecting one for the test, and not after."""
    vfs = _load("sqlite_power_cut").PowerCutVfs()
    yield vfs
    vfs.close()


def _keep_none() -> bool:
    return False


def _source(tmp_path: Path) -> tuple[Path, str]:
    source = tmp_path / "photo.jpg"
    source.write_bytes(os.urandom(5000))
    return source, hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_copy_synced_with_its_folders_survives_a_power_cut(power_loss, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    model = power_loss.PowerLossModel(root)
    source, digest = _source(tmp_path)
    folder = root / "attachments" / "2026-001"
    make_folder(folder)
    copy_to_fd(source, os.open(folder / ".partial", os.O_WRONLY | os.O_CREAT, 0o600))
    os.replace(folder / ".partial", folder / "photo.jpg")
    fsync_dir(folder)
    assert model.durable(folder / "photo.jpg", digest) is None


def test_the_model_catches_a_copy_that_was_never_synced(power_loss, tmp_path):
    root = tmp_path / "data"
    (root / "attachments").mkdir(parents=True)
    model = power_loss.PowerLossModel(root)
    source, digest = _source(tmp_path)
    target = root / "attachments" / "photo.jpg"
    target.write_bytes(source.read_bytes())
    assert "its content was not synced" in model.durable(target, digest)
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    assert "the entry 'photo.jpg' in attachments/ was not synced" in model.durable(target, digest)


def test_the_model_catches_a_new_folder_not_synced_into_its_parent(power_loss, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    model = power_loss.PowerLossModel(root)
    source, digest = _source(tmp_path)
    folder = root / "attachments"
    folder.mkdir()
    copy_to_fd(source, os.open(folder / "photo.jpg", os.O_WRONLY | os.O_CREAT, 0o600))
    fsync_dir(folder)
    assert "the entry 'attachments' in data/ was not synced" in model.durable(folder / "photo.jpg", digest)


def _image(power_loss, power_cut_vfs, root: Path, model) -> Path:
    image = root.parent / "image"
    model.write_image(image, power_cut_vfs, _keep_none)
    return image


def _data_dir_with_a_database(power_loss, tmp_path: Path):
    """A data folder holding a database that was there before the run, and the power-loss model over it."""
    root = tmp_path / "data"
    root.mkdir()
    sqlite3.connect(str(root / "a.db")).close()
    return root, power_loss.PowerLossModel(root, stash=tmp_path / "replaced")


def _thirty_commits(conn: sqlite3.Connection) -> None:
    conn.execute("create table t (x)")
    for i in range(30):
        with conn:
            conn.execute("insert into t values (?)", (i,))


def test_sqlite_commits_survive_a_power_cut_with_synchronous_full(power_loss, power_cut_vfs, tmp_path):
    root, model = _data_dir_with_a_database(power_loss, tmp_path)
    conn = connect(root / "a.db", timeout_s=1)
    _thirty_commits(conn)
    image = _image(power_loss, power_cut_vfs, root, model)
    conn.close()
    with sqlite3.connect(str(image / "a.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("select count(*) from t").fetchone()[0] == 30


def test_the_power_cut_loses_commits_that_synchronous_normal_never_synced(power_loss, power_cut_vfs, tmp_path):
    root, model = _data_dir_with_a_database(power_loss, tmp_path)
    conn = sqlite3.connect(str(root / "a.db"))
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = NORMAL")
    _thirty_commits(conn)
    image = _image(power_loss, power_cut_vfs, root, model)
    conn.close()
    with sqlite3.connect(str(image / "a.db")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not copy.execute("select name from sqlite_master where name = 't'").fetchall()


def _service_with_session(root: Path):
    from assistant.locations import resolve_data_dir
    from assistant.sessions.models import Scope, SessionHeader
    from assistant.sessions.service import SessionService

    service = SessionService(resolve_data_dir(root))
    return service, service.create(SessionHeader(title="t", scope=Scope(processes=["purchasing"]))).id


def test_an_answer_and_its_attachment_survive_a_power_cut(power_loss, power_cut_vfs, tmp_path):
    from assistant.locations import resolve_data_dir
    from assistant.sessions.service import SessionService

    root = tmp_path / "data"
    service, sid = _service_with_session(root)
    service.disconnect()
    model = power_loss.PowerLossModel(root, stash=tmp_path / "replaced")
    service = SessionService(resolve_data_dir(root))
    source, digest = _source(tmp_path)
    record = service.answer(sid, "pur_reeval", "no - none this year", attachments=[source])
    image = _image(power_loss, power_cut_vfs, root, model)
    service.disconnect()
    after = SessionService(resolve_data_dir(image))
    try:
        assert after.answers(sid)["pur_reeval"].answered_at == record.answered_at
        [name] = record.attachments
        assert hashlib.sha256((image / "attachments" / name).read_bytes()).hexdigest() == digest
    finally:
        after.disconnect()


def test_the_image_empties_an_attachment_whose_copy_was_never_synced(power_loss, power_cut_vfs, tmp_path,
                                                                       monkeypatch):
    from assistant.locations import resolve_data_dir
    from assistant.sessions import attachments
    from assistant.sessions.service import SessionService

    def copy_without_fsync(source, fd):
        with os.fdopen(fd, "wb") as out:
            out.write(Path(source).read_bytes())

    monkeypatch.setattr(attachments, "copy_to_fd", copy_without_fsync)
    root = tmp_path / "data"
    service, sid = _service_with_session(root)
    service.disconnect()
    model = power_loss.PowerLossModel(root, stash=tmp_path / "replaced")
    service = SessionService(resolve_data_dir(root))
    source, _ = _source(tmp_path)
    [name] = service.answer(sid, "pur_reeval", "yes", attachments=[source]).attachments
    assert "its content was not synced" in model.durable(root / "attachments" / name,
                                                         hashlib.sha256(source.read_bytes()).hexdigest())
    image = _image(power_loss, power_cut_vfs, root, model)
    service.disconnect()
    assert (image / "attachments" / name).read_bytes() == b""


def test_a_file_replaced_by_a_rename_not_yet_synced_is_the_old_one_after_a_power_cut(power_loss, power_cut_vfs,
                                                                                       tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "doc.md").write_text("old")
    model = power_loss.PowerLossModel(root, stash=tmp_path / "replaced")
    (root / ".partial").write_text("new")
    os.replace(root / ".partial", root / "doc.md")
    assert (_image(power_loss, power_cut_vfs, root, model) / "doc.md").read_text() == "old"
