"""The power-loss model of the crash harness catches a missing fsync, and q1audit's file writes pass it."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
from pathlib import Path

import pytest

from knowledge.durable_files import copy_to_fd, fsync_dir, make_folder
from knowledge.sqlite_files import connect

MODEL = Path(__file__).parents[2] / "benchmarks" / "power_loss.py"


@pytest.fixture
def power_loss(monkeypatch):
    spec = importlib.util.spec_from_file_location("power_loss", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(os, "fsync", os.fsync)  # the model wraps it; put it back afterwards
    return module


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


def test_sqlite_commits_are_durable_only_with_synchronous_full(power_loss, tmp_path):
    assert power_loss.sqlite_durability(connect(tmp_path / "a.db", timeout_s=1)) is None
    normal = sqlite3.connect(str(tmp_path / "b.db"))
    normal.execute("PRAGMA journal_mode = wal")
    normal.execute("PRAGMA synchronous = NORMAL")
    assert power_loss.sqlite_durability(normal) == "synchronous=NORMAL in wal mode"
