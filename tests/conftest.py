"""Shared fixtures: every test gets its own data directory and never touches the network or the user's data."""

from __future__ import annotations

import pytest

from assistant.locations import DataPaths, resolve_data_dir


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> DataPaths:
    """A fresh Q1AUDIT_HOME per test, so tests never see each other's or the user's data."""
    home = tmp_path / "q1audit-home"
    monkeypatch.setenv("Q1AUDIT_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    return resolve_data_dir(home)
