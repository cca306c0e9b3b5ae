"""Attachments are copied into the data directory under safe names, never through or from a symlink."""

from __future__ import annotations

import pytest

from assistant.sessions.attachments import safe_name
from assistant.sessions.errors import AttachmentError


def test_files_are_copied_under_safe_unique_names(service, session_id, isolated_home, tmp_path):
    photo = tmp_path / "Gauge photo (1) ;rm -rf.JPG"
    photo.write_bytes(b"first")
    service.answer(session_id, "cal_register", "yes", attachments=[photo])
    photo.write_bytes(b"second")
    record = service.answer(session_id, "cal_register", "yes", attachments=[photo])

    base = f"{session_id}/cal_register_Gauge_photo_1_rm_-rf"
    assert record.attachments == [f"{base}.jpg", f"{base}-2.jpg"]
    folder = isolated_home.attachments_dir
    assert [(folder / name).read_bytes() for name in record.attachments] == [b"first", b"second"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../../etc/passwd", "passwd"), (".hidden", "hidden"), ("日本語.pdf", "attachment.pdf"), ("a" * 300 + ".png", "a" * 96 + ".png")],
)
def test_safe_name(given, expected):
    assert safe_name(given) == expected


def test_symlinked_source_is_refused(service, session_id, tmp_path):
    target = tmp_path / "private.key"
    target.write_text("secret", encoding="utf-8")
    link = tmp_path / "photo.jpg"
    link.symlink_to(target)
    with pytest.raises(AttachmentError, match="is a symbolic link"):
        service.answer(session_id, "cal_register", "yes", attachments=[link])
    with pytest.raises(AttachmentError, match="no such file"):
        service.answer(session_id, "cal_register", "yes", attachments=[tmp_path / "missing.jpg"])
    assert service.answers(session_id) == {}


def test_planted_symlink_folder_is_not_written_through(service, session_id, isolated_home, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    isolated_home.attachments_dir.mkdir(parents=True, exist_ok=True)
    (isolated_home.attachments_dir / session_id).symlink_to(elsewhere)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    with pytest.raises(AttachmentError, match="not a plain folder"):
        service.answer(session_id, "cal_register", "yes", attachments=[photo])
    assert list(elsewhere.iterdir()) == []


def test_copies_are_removed_when_the_answer_is_not_stored(service, session_id, isolated_home, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    service.close(session_id)
    with pytest.raises(Exception, match="closed"):
        service.answer(session_id, "cal_register", "yes", attachments=[photo])
    folder = isolated_home.attachments_dir / session_id
    assert not folder.exists() or list(folder.iterdir()) == []
