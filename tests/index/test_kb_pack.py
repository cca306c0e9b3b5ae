"""`kb pack` / `kb use`: a colleague searches the packed knowledge base read-only and gets the same answers."""

from __future__ import annotations

import json
import zipfile

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.locations import DataPaths

pytestmark = pytest.mark.usefixtures("fake_embedder_env")

QUESTIONS = [
    "calibration sticker expired on a torque wrench",
    "traceability to national standards",
    "5.8",
]


def run(home, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(home), *args])


def answers(home) -> list[dict]:
    out = []
    for q in QUESTIONS:
        result = run(home, "ask", "--json", q)
        assert result.exit_code == 0, result.output
        out.append(json.loads(result.output))
    return out


def files(home) -> dict[str, bytes]:
    return {p.relative_to(home).as_posix(): p.read_bytes() for p in sorted(home.rglob("*"))
            if p.is_file() and p.parts[len(home.parts)] in ("knowledge.db", "index", "documents")}


def test_pack_and_use_round_trip_answers_identically(tmp_path, procedure_file):
    dept, colleague = tmp_path / "dept", tmp_path / "colleague"
    assert run(dept, "kb", "import", str(procedure_file)).exit_code == 0
    not_built = run(dept, "kb", "pack", str(tmp_path / "early.q1kb"))
    assert not_built.exit_code == 1 and "index build" in not_built.output
    assert run(dept, "index", "build").exit_code == 0
    packed = run(dept, "kb", "pack", str(tmp_path / "dept.q1kb"))
    assert packed.exit_code == 0, packed.output

    used = run(colleague, "kb", "use", str(tmp_path / "dept.q1kb"))
    assert used.exit_code == 0 and "read-only" in used.output, used.output
    assert json.loads(run(colleague, "index", "status", "--json").output)["state"] == "current"
    unpacked = files(colleague)
    assert answers(colleague) == answers(dept)
    assert files(colleague) == unpacked, "asking writes nothing to a pack in use"
    assert run(colleague, "kb", "list", "--json").output == run(dept, "kb", "list", "--json").output

    refused = run(colleague, "kb", "import", str(procedure_file))
    assert refused.exit_code == 1 and "read-only" in refused.output
    assert run(colleague, "kb", "remove", "QP-99").exit_code == 1
    assert run(colleague, "kb", "use", "--release").exit_code == 0
    assert run(colleague, "kb", "remove", "QP-99").exit_code == 0


def test_use_refuses_altered_or_unsafe_packs_and_own_documents(tmp_path, procedure_file):
    dept, colleague = tmp_path / "dept", tmp_path / "colleague"
    run(dept, "kb", "import", str(procedure_file))
    run(dept, "index", "build")
    good = tmp_path / "dept.q1kb"
    assert run(dept, "kb", "pack", str(good)).exit_code == 0
    with zipfile.ZipFile(good) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    manifest = json.loads(members["manifest.json"])

    def write(name: str, files: dict[str, bytes]):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            for member, data in files.items():
                z.writestr(member, data)
        return path

    doc = next(n for n in members if n.startswith("documents/"))
    altered = write("altered.q1kb", members | {doc: members[doc].replace(b"sticker", b"stickex")})
    outside = dict(manifest, files=[*manifest["files"], {"name": "../evil", "size": 1, "sha256": "0" * 64}])
    unsafe = write("unsafe.q1kb", members | {"manifest.json": json.dumps(outside).encode(), "../evil": b"x"})
    nested = write("nested.q1kb", members | {"manifest.json": ("[" * 5000 + "]" * 5000).encode()})
    for pack, message in ((altered, "does not match its checksum"), (unsafe, "refuses member '../evil'"),
                          (nested, "nested deeper than 10 levels"),
                          (procedure_file, "not a q1audit knowledge-base pack")):
        result = run(colleague, "kb", "use", str(pack))
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (colleague / "documents").exists(), "nothing unpacked from a refused pack"

    own = run(dept, "kb", "use", str(good))
    assert own.exit_code == 1 and "your own documents (QP-99)" in own.output


def test_a_working_folder_a_killed_pack_or_use_left_is_swept(tmp_path):
    from assistant.locations import DataPaths
    from assistant.recovery import recover

    home = tmp_path / "home"
    left = [home / ".kb-use-x1", home / ".kb-pack-x2"]
    for folder in left:
        (folder / "documents").mkdir(parents=True)
        (folder / "knowledge.db").write_bytes(b"half a copy")
    assert recover(DataPaths(home), grace_s=3600).staging_removed == 0, "may belong to a q1audit still running"
    assert recover(DataPaths(home), grace_s=0).staging_removed == 2
    assert not any(folder.exists() for folder in left)


def test_a_kb_use_killed_between_its_swaps_is_finished_by_the_next_command(tmp_path, procedure_file, monkeypatch):
    import assistant.kb_pack as kb_pack

    dept, colleague = tmp_path / "dept", tmp_path / "colleague"
    assert run(dept, "kb", "import", str(procedure_file)).exit_code == 0
    assert run(dept, "index", "build").exit_code == 0
    assert run(dept, "kb", "pack", str(tmp_path / "dept.q1kb")).exit_code == 0
    assert run(colleague, "setup").exit_code == 0  # the colleague's own (sample) knowledge base and index
    real = kb_pack.replace_folder

    def killed_after_documents(staged, live):
        if live.name == "index":
            live.rename(live.with_name(f".{live.name}.old"))  # killed right after moving the live index aside
            raise KeyboardInterrupt
        real(staged, live)

    monkeypatch.setattr(kb_pack, "replace_folder", killed_after_documents)
    with pytest.raises(KeyboardInterrupt):
        kb_pack.use_kb(DataPaths(colleague), tmp_path / "dept.q1kb", force=True)
    assert not (colleague / "index").exists() and not (colleague / kb_pack.MARKER).exists()
    monkeypatch.setattr(kb_pack, "replace_folder", real)
    # Any command starts by finishing it: the pack's database, index and marker, all together.
    status = json.loads(run(colleague, "index", "status", "--json").output)
    assert status["state"] == "current"
    assert (colleague / kb_pack.MARKER).exists()
    assert [d["doc_id"] for d in json.loads(run(colleague, "kb", "list", "--json").output)] == \
        [d["doc_id"] for d in json.loads(run(dept, "kb", "list", "--json").output)]
    assert not any(p.name.startswith((".kb-use-", ".index.old")) for p in colleague.iterdir())
    assert answers(colleague) == answers(dept)


def test_a_killed_builds_temporary_copies_are_not_packed_and_are_swept(tmp_path, procedure_file):
    from assistant.recovery import recover

    dept = tmp_path / "dept"
    assert run(dept, "kb", "import", str(procedure_file)).exit_code == 0
    assert run(dept, "index", "build").exit_code == 0
    index = DataPaths(dept).index_dir
    left = [index / "classifier.npz.4242.tmp.npz", index / "faiss.index.tmp", index / "minilm-onnx.tmp"]
    left[0].write_bytes(b"half an array file")
    left[1].write_bytes(b"half an index")
    left[2].mkdir()
    (left[2] / "model.onnx").write_bytes(b"half an export")

    assert run(dept, "kb", "pack", str(tmp_path / "dept.q1kb")).exit_code == 0
    names = zipfile.ZipFile(tmp_path / "dept.q1kb").namelist()
    assert any(name.startswith("index/") for name in names)
    assert not [name for name in names if ".tmp" in name]

    assert recover(DataPaths(dept), grace_s=3600).staging_removed == 0, "may belong to a build still running"
    assert recover(DataPaths(dept), grace_s=0).staging_removed == 3
    assert not any(path.exists() for path in left)
    assert json.loads(run(dept, "index", "status", "--json").output)["state"] == "current"
