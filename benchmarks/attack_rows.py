"""The rest of the reliability review's table for benchmarks/attacks.py: the rows the review saw pass or
warn, rerun so that a change that breaks one is seen. Each row's check is what the review observed
(a one-line refusal, the right result, nothing left behind); a row whose warning still stands by
design says WARN and why. Rows that need a long run or a test fixture rerun a named pytest test.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROCEDURE = "Document No: {doc}\n\n# {title}\n\n## 1 Purpose\n\nSuppliers are evaluated per API Q1 5.5.1.2.\n"
Attack = Callable[["Box"], "str | None"]  # noqa: F821 - the Box of benchmarks/attacks.py


def _clean(done: subprocess.CompletedProcess, codes=(0, 1, 2)) -> str | None:
    err = done.stderr.decode(errors="replace")
    if "Traceback" in err:
        return "traceback: " + err.strip().splitlines()[-1][:120]
    if done.returncode not in codes:
        return f"exit code {done.returncode}: {(err.strip() or done.stdout.decode(errors='replace'))[-120:]}"
    return None


def _sub(box, args) -> list:
    return [box.session if a == "S" else str(a) if isinstance(a, Path) else a for a in args]


def cli(*commands: tuple, codes=(1,), says: str | None = None, timeout: float = 120) -> Attack:
    """Each command ends with `codes` and no traceback; `says` is in its output (stdout or stderr)."""
    def attack(box) -> str | None:
        for command in commands:
            done = box.run(*_sub(box, command), timeout=timeout)
            problem = _clean(done, codes)
            text = (done.stdout + done.stderr).decode(errors="replace")
            if problem is None and says is not None and says not in text:
                problem = f"{' '.join(map(str, command))[:40]}: no {says!r} in {text.strip()[-100:]!r}"
            if problem:
                return problem
        return None
    return attack


def pytest_rows(*tests: str) -> Attack:
    """Rerun the attack as the named tests (`file::name`), which hold its fixtures."""
    def attack(box) -> str | None:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                              cwd=ROOT, env={k: v for k, v in box.env.items() if k != "Q1AUDIT_HOME"},
                              capture_output=True, timeout=900)
        return None if done.returncode == 0 else "test failed: " + done.stdout.decode()[-200:]
    return attack


def _pack(box, *, when: str | None = None, statement: str | None = None, raw: str | None = None) -> Path:
    text = raw if raw is not None else next((ROOT / "rules" / "packs").glob("*.yaml")).read_text()
    if when is not None:
        text = text.replace("when: '", f"when: '{when} or ", 1)
    if statement is not None:
        text = text.replace('      nonconformity: "', f'      nonconformity: "{statement} ', 1)
    return box.file("pack.yaml", text)


def pack_refused(**pack) -> Attack:
    def attack(box) -> str | None:
        return _clean(box.run("rules", "check", str(_pack(box, **pack))), (1,))
    return attack


def _answers(box, name: str, entries: dict) -> Path:
    return box.file(name, json.dumps(entries))


def _answer(box, qid: str) -> dict | None:
    out = box.scratch / "answers-export.json"
    box.run("export", box.session, "--format", "json", "-o", str(out), "--force")
    return next((a for a in json.loads(out.read_text())["answers"] if a["question_id"] == qid), None)


def _stored(box, qid: str) -> bool:
    done = box.run("session", "show", box.session)
    return f"{qid}:".encode() in done.stdout


def _docx(path: Path, document_xml: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document_xml)
    return path


def _body(text: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0"?>{prolog}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            f'2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')


def rows() -> list[tuple[str, str, Attack]]:
    def number_parsed(box) -> str | None:
        done = box.run("session", "answer", box.session, "pur_unapproved_used", "twelve-ish")
        value = _answer(box, "pur_unapproved_used")
        return _clean(done, (0,)) or (None if value and value.get("value") == 12 else f"stored {value}")

    def closed(box) -> str | None:
        new = box.run("session", "new", "--title", "closing", "--scope", "purchasing").stdout.decode().strip()
        box.run("session", "answer", new, "pur_procedure", "yes")
        box.run("session", "close", new)
        for command in (("session", "answer", new, "pur_procedure", "no"), ("session", "close", new)):
            done = box.run(*command)
            problem = _clean(done, (1,)) or (None if b"closed" in done.stderr else done.stderr.decode()[-100:])
            if problem:
                return problem
        return None

    def long_argv(box) -> str | None:
        big = "z" * 120_000
        done = box.run("session", "answer", box.session, "pur_reeval", "no - " + big, "--note", big)
        return _clean(done, (0,)) or (None if _stored(box, "pur_reeval") else "not stored")

    def typed_controls(box) -> str | None:
        box.run("session", "answer", box.session, "pur_records_kept", "y \x1b[31mRED\x07\x08")
        out = subprocess.run(["script", "-qc", f"{sys.executable} -m assistant session show {box.session}",
                              "/dev/null"], env=box.env, cwd=ROOT, capture_output=True, timeout=60).stdout
        return "escape reached the terminal" if b"\x1b[31mRED" in out or b"\x07" in out else None

    def history_unknown(box) -> str | None:
        done = box.run("session", "history", box.session, "no_such_q")
        if "Traceback" in done.stderr.decode():
            return "traceback"
        return None if done.returncode != 0 or done.stdout.strip() else "warn: prints nothing for an unknown question"

    def session_dates(box) -> str | None:
        done = box.run("session", "new", "--title", "far", "--scope", "purchasing", "--start", "0001-01-01",
                       "--end", "9999-12-31")
        return _clean(done, (0, 1, 2)) or (
            "warn: a session from 0001 to 9999 is accepted (answers refuse such dates)" if done.returncode == 0 else None)

    def non_utf8_ok(box) -> str | None:
        for command in (("session", "answer", "S", b"pur_\xff", "yes"),
                        ("export", "S", "--format", "json", "-o", os.fsencode(box.scratch) + b"/out-\xff.json")):
            problem = _clean(box.run(*_sub(box, command)), (0, 1, 2))
            if problem:
                return problem
        return None

    def one_mb(box) -> str | None:
        big = "word " * 200_000
        path = _answers(box, "big.json", {"pur_reeval": {"value": "no - " + big, "note": big},
                                          "pur_po_information": {"value": "partial - " + "x" * 1_000_000}})
        started = time.perf_counter()
        problem = _clean(box.run("session", "load", box.session, str(path)), (0,))
        for command in (("session", "show", box.session), ("findings", box.session)):
            problem = problem or _clean(box.run(*command), (0,))
        took = time.perf_counter() - started
        return problem or (None if took < 120 else f"took {took:.0f} s")

    def raw_bytes_in_answers(box) -> str | None:
        for name, data in (("nul.yaml", b"pur_procedure: \"no \x00 x\"\n"), ("bad.json", b'{"pur_procedure": "\xff\xfe"}'),
                           ("bad.yaml", b"pur_procedure: \xff\xfe\n")):
            problem = _clean(box.run("session", "load", box.session, str(box.file(name, data))), (1,))
            if problem:
                return f"{name}: {problem}"
        return None

    def exports_of_big(box) -> str | None:
        box.run("session", "load", box.session, str(_answers(box, "big.json", {"pur_reeval": {"value": "no - " + "word " * 200_000}})))
        for fmt in ("csv", "xlsx", "json", "md", "html", "docx", "response-xlsx", "response-docx"):
            started = time.perf_counter()
            done = box.run("export", box.session, "--format", fmt, "-o", str(box.scratch / f"o.{fmt}"), timeout=300)
            took = time.perf_counter() - started
            # The auditee's response pack waits for every finding to be decided: a refusal, by design.
            codes = (0, 1) if fmt.startswith("response") and b"undecided" in done.stderr else (0,)
            if _clean(done, codes) or took > 60:
                return f"{fmt}: {_clean(done, codes) or f'{took:.0f} s'}"
        return None

    def pdf_of_big(box) -> str | None:
        box.run("session", "load", box.session, str(_answers(box, "big.json", {"pur_reeval": {"value": "no - " + "word " * 200_000}})))
        started = time.perf_counter()
        try:
            done = box.run("export", box.session, "--format", "pdf", "-o", str(box.scratch / "o.pdf"), timeout=300)
        except subprocess.TimeoutExpired:
            return "no PDF after 300 s"
        took = time.perf_counter() - started
        return _clean(done, (0,)) or (None if took < 120 else f"took {took:.0f} s")

    def zip_bomb(box) -> str | None:
        path = box.scratch / "bomb.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            with z.open("word/document.xml", "w") as member:
                for _ in range(300):
                    member.write(b" " * (1 << 20))
        return cli(("kb", "import", path), says="over the safe limit")(box)

    def docx_entities(box) -> str | None:
        xxe = _docx(box.scratch / "xxe.docx", _body("Before&xxe;", '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'))
        laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10))
        bomb = _docx(box.scratch / "laughs.docx", _body("&l9;", f"<!DOCTYPE d [{laughs}]>"))
        for path in (xxe, bomb):
            problem = _clean(box.run("kb", "import", str(path)), (0, 1))
            if problem:
                return f"{path.name}: {problem}"
        docs = list((box.home / "documents").glob("*"))
        return "passwd imported" if any(b"root:" in d.read_bytes() for d in docs) else None

    def damaged_pdfs(box) -> str | None:
        for name, data in (("rand.pdf", b"%PDF-1.7\n" + os.urandom(5000)), ("head.pdf", b"%PDF-1.4\n"),
                           ("half.pdf", _pdf_bytes()[: len(_pdf_bytes()) // 2])):
            problem = _clean(box.run("kb", "import", str(box.file(name, data))), (1,))
            if problem:
                return f"{name}: {problem}"
        return None

    def encrypted_pdf(box) -> str | None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes())))
        writer.encrypt("secret", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        return cli(("kb", "import", box.file("locked.pdf", out.getvalue())), says="password")(box)

    def many_pages(box) -> str | None:
        started = time.perf_counter()
        problem = _clean(box.run("kb", "import", "--yes", str(box.file("long.pdf", _pdf_bytes(pages=600)))), (0,))
        took = time.perf_counter() - started
        return problem or (None if took < 120 else f"took {took:.0f} s")

    def big_text(box) -> str | None:
        path = box.scratch / "big.txt"
        with path.open("wb") as out:
            out.truncate(50 * 1024 * 1024)
        return cli(("kb", "import", path), says="over the 25 MB limit")(box)

    def not_text(box) -> str | None:
        shutil_ls = Path("/bin/ls").read_bytes()
        for name, data in (("rand.md", os.urandom(100_000)), ("ls.txt", shutil_ls)):
            problem = _clean(box.run("kb", "import", str(box.file(name, data))), (1,))
            if problem:
                return f"{name}: {problem}"
        return None

    def folder_symlink(box) -> str | None:
        folder = box.scratch / "docs"
        folder.mkdir()
        (folder / "ok.md").write_text(PROCEDURE.format(doc="OK-1", title="Fine"))
        (folder / "passwd.md").symlink_to("/etc/passwd")
        done = box.run("kb", "import", str(folder))
        return _clean(done, (0,)) or (None if b"OK-1" in done.stdout and b"passwd" not in done.stdout else "symlink followed")

    def odd_names(box) -> str | None:
        folder = box.scratch / "odd"
        folder.mkdir()
        for name in ("..\\..\\..\\win.md", "new\nline.md", "-dash.md", "[bold]b.md"):
            (folder / name).write_text(PROCEDURE.format(doc="../../../../tmp/x", title="Odd"))
        done = box.run("kb", "import", str(folder))
        outside = [p for p in (box.home.parent.glob("*")) if p.name not in ("home", "odd") and p.is_file()
                   and p.suffix == ".md"]
        stored = [p.name for p in (box.home / "documents").iterdir()]
        return _clean(done, (0, 1)) or (f"written outside: {outside}" if outside else None) or (
            None if all("/" not in n and not n.startswith(".") for n in stored) else f"stored as {stored}")

    def catalogue_id(box) -> str | None:
        done = box.run("kb", "import", str(box.file("cat.md", PROCEDURE.format(doc="@catalogue", title="Cat"))))
        return _clean(done, (0, 1)) or (None if b"@catalogue" not in done.stdout else "took the catalogue's id")

    def many_files(box) -> str | None:
        folder = box.scratch / "many"
        folder.mkdir()
        for n in range(300):
            (folder / f"D-{n:04d}.md").write_text(PROCEDURE.format(doc=f"D-{n:04d}", title=f"Doc {n}"))
        first = box.run("kb", "import", str(folder), timeout=600)
        again = box.run("kb", "import", str(folder), timeout=600)
        return _clean(first, (0,)) or _clean(again, (0,)) or (
            None if again.stdout.count(b"unchanged") == 300 else "re-import not all unchanged")

    def latin1(box) -> str | None:
        data = "Document No: QP-\u00c9\n\n# Proc\u00e9dure d'achat\n\n## 1 Objet\n\nFournisseurs \u00e9valu\u00e9s.\n"
        return cli(("kb", "import", box.file("lat.md", data.encode("latin-1"))), codes=(0,))(box)

    def attachment_paths(box) -> str | None:
        (box.scratch / "dir").mkdir()
        (box.scratch / "link.jpg").symlink_to("/etc/passwd")
        (box.scratch / "etc").symlink_to("/etc")
        for bad in ("../../../../etc/passwd", "/etc/passwd", "/dev/zero", "etc/hostname", "link.jpg", "dir"):
            path = _answers(box, "a.json", {"pur_procedure": {"value": "yes", "attachments": [bad]}})
            done = box.run("session", "load", box.session, str(path))
            if _clean(done, (1,)):
                return f"{bad}: {_clean(done, (1,))}"
        return None if not list((box.home / "attachments").rglob("*passwd*")) else "passwd copied"

    def unknown_entries(box) -> str | None:
        path = _answers(box, "u.json", {"no_such_question": "yes", "__proto__": "x", "pur_reeval_sampled": "lots",
                                        "pur_procedure": {"value": "yes", "answered_by": "x"}})
        done = box.run("session", "load", box.session, str(path))
        return _clean(done, (1,)) or (None if b"nothing was stored" in done.stderr else done.stderr.decode()[-100:])

    def imports_refused(box) -> str | None:
        export = box.scratch / "s.json"
        box.run("export", box.session, "--format", "json", "-o", str(export))
        data = json.loads(export.read_text())
        for change in (lambda d: None, lambda d: d["session"].update(id="../../etc"),
                       lambda d: d["session"].update(id="2026-999/../../x"), lambda d: d.update(schema_version=99),
                       lambda d: d["session"].update(status="bogus"), lambda d: d["session"].update(id="2026-1234567")):
            copy = json.loads(json.dumps(data))
            change(copy)
            path = box.file("imp.json", json.dumps(copy))
            problem = _clean(box.run("session", "import", str(path)), (1,))
            if problem:
                return problem
        return None

    def import_attachment_names(box) -> str | None:
        export = box.scratch / "s.json"
        box.run("session", "answer", box.session, "pur_procedure", "yes")
        box.run("export", box.session, "--format", "json", "-o", str(export))
        data = json.loads(export.read_text())
        data["session"]["id"] = "2026-077"
        text = json.dumps(data).replace('"attachments": []', '"attachments": ["../../../../etc/passwd"]', 1)
        done = box.run("session", "import", str(box.file("imp.json", text)))
        return _clean(done, (0, 1)) or (None if Path("/etc/passwd").exists() else "passwd removed")

    def legit_attachment(box) -> str | None:
        (box.scratch / "photo.jpg").write_bytes(os.urandom(1000))
        path = _answers(box, "ok.json", {"pur_procedure": {"value": "yes", "attachments": ["photo.jpg"]}})
        problem = _clean(box.run("session", "load", box.session, str(path)), (0,))
        files = list((box.home / "attachments").rglob("*.jpg"))
        if problem or len(files) != 1:
            return problem or f"{len(files)} files"
        return None if files[0].stat().st_mode & 0o077 == 0 else "attachment readable by others"

    def kill_import(box) -> str | None:
        folder = box.scratch / "many"
        folder.mkdir()
        for n in range(400):
            (folder / f"K-{n:04d}.md").write_text(PROCEDURE.format(doc=f"K-{n:04d}", title=f"Doc {n}") * 20)
        for delay in (1.5, 3.0):
            proc = subprocess.Popen([sys.executable, "-m", "assistant", "kb", "import", str(folder)], env=box.env,
                                    cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            proc.kill()
            proc.wait()
            if _integrity(box.home / "knowledge.db") != "ok":
                return "knowledge.db damaged"
        done = box.run("kb", "import", str(folder), timeout=600)
        return _clean(done, (0,)) or _copies_match(box)

    def kill_index(box) -> str | None:
        box.run("kb", "import", str(box.file("d.md", PROCEDURE.format(doc="IX-1", title="Index"))))
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", "build", "--force"], env=box.env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        proc.kill()
        proc.wait()
        status = box.run("index", "status")
        asked = box.run("ask", "supplier evaluation")
        return _clean(status, (0,)) or _clean(asked, (0,)) or (
            None if b"current" in box.run("index", "status").stdout else "index not current after ask")

    def kill_export(box) -> str | None:
        out = box.scratch / "k.pdf"
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "export", box.session, "--format", "pdf", "-o",
                                 str(out)], env=box.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        proc.kill()
        proc.wait()
        if out.exists() and not out.stat().st_size:
            return "torn export"
        left = [p.name for p in box.scratch.iterdir() if "partial" in p.name]
        return f"warn: {left} left beside the target (outside the data dir, no start cleans it)" if left else None

    def kill_backup(box) -> str | None:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "backup", str(box.scratch / "b.tar.gz")], env=box.env,
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.2)
        proc.kill()
        proc.wait()
        _recover(box)
        left = [p.name for p in box.home.iterdir() if p.name.startswith(".backup-")]
        if left:
            return f"left {left} in the data dir"
        for partial in box.scratch.glob("*.partial"):  # as if the kill was over an hour ago
            os.utime(partial, (time.time() - 7200, time.time() - 7200))
        problem = _clean(box.run("backup", str(box.scratch / "b.tar.gz"), "--force"), (0,))
        beside = [p.name for p in box.scratch.iterdir() if "partial" in p.name]
        return problem or (f"{beside} left beside the target after the next backup" if beside else None)

    def two_cli_writers(box) -> str | None:
        script = "; ".join(f"{sys.executable} -m assistant session answer {box.session} pur_unapproved_used {n} "
                           f"--note w$W-{n}" for n in range(1, 16))
        procs = [subprocess.Popen(["sh", "-c", script.replace("$W", str(w))], env=box.env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for w in range(2)]
        errors = [p.communicate()[1] for p in procs]
        with sqlite3.connect(box.home / "audits.db") as db:
            rows = db.execute("select count(*) from answer_history where question_id = 'pur_unapproved_used'").fetchone()[0]
        locked = sum(e.count(b"locked") for e in errors)
        return None if rows == 30 and not locked else f"{rows} of 30 in the history, {locked} locked"

    def restore_without_force(box) -> str | None:
        backup = box.scratch / "b.tar.gz"
        box.run("backup", str(backup))
        box.run("session", "answer", box.session, "pur_procedure", "no")
        done = box.run("restore", str(backup))
        return _clean(done, (1,)) or (None if b"--force" in done.stderr else done.stderr.decode()[-100:])

    def broken_backups(box) -> str | None:
        backup = box.scratch / "b.tar.gz"
        box.run("backup", str(backup))
        data = backup.read_bytes()
        flipped = bytearray(data)
        flipped[len(data) // 2: len(data) // 2 + 64] = os.urandom(64)
        cases = {f"cut{p}": data[: len(data) * p // 1000] for p in (100, 500, 900, 999)}
        cases |= {"empty": b"", "random": os.urandom(4000), "flipped": bytes(flipped)}
        for name, blob in cases.items():
            before = hashlib.sha256((box.home / "audits.db").read_bytes()).hexdigest()
            # A cut inside the gzip trailer or tar's end padding loses nothing the manifest lists (each
            # file is checked against its sha256), so restoring it is right; any earlier cut is refused.
            codes = (0, 1) if name.startswith("cut") and _cut_after_last_member(data, blob) else (1,)
            done = box.run("restore", str(box.file(f"{name}.tar.gz", blob)), "--force")
            if _clean(done, codes):
                return f"{name}: {_clean(done, codes)}"
            if done.returncode and hashlib.sha256((box.home / "audits.db").read_bytes()).hexdigest() != before:
                return f"{name}: data changed by a refused restore"
        return None

    def traversal_members(box) -> str | None:
        for member in ("../../evil.txt", "attachments/../../evil.txt", "index/vectors.faiss"):
            archive = box.scratch / "t.tar.gz"
            blob = b"evil"
            manifest = {"format": "q1audit-backup/1", "created_at": "2026-01-01T00:00:00Z", "sessions": 0,
                        "documents": 0, "files": [{"name": member, "size": 4, "sha256": hashlib.sha256(blob).hexdigest()}]}
            with tarfile.open(archive, "w:gz") as tar:
                for name, data in (("manifest.json", json.dumps(manifest).encode()), (member, blob)):
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            problem = _clean(box.run("restore", str(archive), "--force"), (1,))
            if problem:
                return f"{member}: {problem}"
        return "written outside" if list(box.scratch.parent.rglob("evil.txt")) else None

    def offline_strace(box) -> str | None:
        box.run("kb", "import", str(box.file("d.md", PROCEDURE.format(doc="NET-1", title="Net"))))
        trace = box.scratch / "trace"
        real_model = {k: v for k, v in box.env.items() if k not in ("Q1AUDIT_EMBEDDER", "HF_HUB_OFFLINE")}
        done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,socket", "-o", str(trace), sys.executable,
                               "-m", "assistant", "ask", "supplier evaluation"], env=real_model, cwd=ROOT,
                              capture_output=True, timeout=600)
        inet = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
        return _clean(done, (0,)) or (f"network: {inet[0][:80]}" if inet else None)

    def data_dir_tightened(box) -> str | None:
        home = box.scratch / "wide"
        home.mkdir(mode=0o755)
        home.chmod(0o755)
        done = box.run("--data-dir", str(home), "session", "list")
        return _clean(done, (0,)) or (None if home.stat().st_mode & 0o077 == 0 else "left 0755")

    def modes_inside(box) -> str | None:
        box.run("session", "answer", box.session, "pur_procedure", "yes")
        box.run("export", box.session, "--format", "csv")
        loose = [str(p.relative_to(box.home)) for p in box.home.rglob("*") if p.stat().st_mode & 0o077]
        return f"warn: readable by others inside the 0700 data dir: {loose[:4]}" if loose else None

    return [
        ("1.01", "session show of a session that does not exist", cli(("session", "show", "9999-999"), says="no session")),
        ("1.02", "session show ../../etc/passwd", cli(("session", "show", "../../etc/passwd"), says="no session")),
        ("1.03", "session answer on an unknown session", cli(("session", "answer", "nope", "pur_procedure", "y"), says="no session")),
        ("1.04", "session answer to an unknown question", cli(("session", "answer", "S", "no_such_q", "y"), says="no_such_q")),
        ("1.05", "yes/no answer 'banana'", cli(("session", "answer", "S", "pur_procedure", "banana"), says="cannot read")),
        ("1.06", "number answer 'twelve-ish'", number_parsed),
        ("1.07", "number answers of 400 nines and 1e999", cli(("session", "answer", "S", "pur_unapproved_used", "9" * 400),
                                                              ("session", "answer", "S", "pur_unapproved_used", "1e999"))),
        ("1.08", "number answers nan and inf", cli(("session", "answer", "S", "pur_unapproved_used", "nan"),
                                                   ("session", "answer", "S", "pur_unapproved_used", "inf"), says="cannot read")),
        ("1.09", "dates 0000-01-01, 2025-02-30, 99999-01-01", cli(*(("session", "answer", "S", "rsk_last_review", d)
                                                                    for d in ("0000-01-01", "2025-02-30", "99999-01-01")),
                                                                  says="cannot read")),
        ("1.10", "date 9999-12-31 as an answer; a session from 0001 to 9999", session_dates),
        ("1.10", "date 9999-12-31 as the last review", cli(("session", "answer", "S", "rsk_last_review", "9999-12-31"),
                                                           says="cannot be right")),
        ("1.11", "negative and fractional counts", cli(("session", "answer", "S", "pur_reeval_done", "--", "-5"),
                                                       ("session", "answer", "S", "pur_reeval_sampled", "2.5"))),
        ("1.12", "choice answer 'telepathy'", cli(("session", "answer", "S", "sup_initial_method", "telepathy"), says="expected one of")),
        ("1.13", "session new: end before start, bad date, unknown scope and standard, empty title",
         cli(("session", "new", "--title", "x", "--start", "2026-05-02", "--end", "2026-05-01"),
             ("session", "new", "--title", "x", "--start", "02/30/2026"), ("session", "new", "--title", "x", "--scope", "astrology"),
             ("session", "new", "--title", "x", "--standard", "ISO 27001"), ("session", "new", "--title", ""), codes=(1, 2))),
        ("1.14", "finding decide/action on unknown findings; --confirm with --reopen; unknown clause",
         cli(("finding", "decide", "S", "NOPE-1", "--confirm"), ("finding", "decide", "S", "NOPE-1", "--confirm", "--reopen"),
             ("finding", "action", "S", "NOPE-1", "--owner", "x"),
             ("finding", "add", "S", "--grade", "minor", "--clause", "Q1 99.99", "--text", "t"), codes=(1, 2))),
        ("1.15", "unknown ids and formats across commands",
         cli(("findings", "nope"), ("export", "nope"), ("export", "S", "--format", "exe"), ("kb", "remove", "NOPE-1"),
             ("clause", "Q1 99.99.99"), ("diff", "--from", "X"), codes=(1, 2))),
        ("1.16", "ask '', --top 100000000, --top -1", cli(("ask", ""), ("ask", "x", "--top", "100000000"), ("ask", "x", "--top", "-1"),
                                                          codes=(2,))),
        ("1.17", "missing files for restore, backup, checklist, session load and import",
         cli(("restore", "/nonexistent.tar.gz"), ("backup", "/nonexistent/dir/b.tar.gz"), ("checklist", "show", "bogus"),
             ("session", "load", "nope", "/etc/hostname"), ("session", "import", "/etc/hostname"), codes=(1, 2))),
        ("1.18", "session history of an unknown question", history_unknown),
        ("1.19", "answer and close on a closed session", closed),
        ("1.20", "invalid UTF-8 in --title", cli(("session", "new", "--title", b"\xff\xfe"), codes=(1, 2))),
        ("1.23", "invalid UTF-8 in --by", cli(("session", "answer", "S", "pur_records_kept", "y", "--by", b"\xff\xfeuser"), codes=(1, 2))),
        ("1.24", "invalid UTF-8 in finding add --text", cli(("finding", "add", "S", "--grade", "minor", "--clause", "Q1 5.5.1.2",
                                                             "--text", b"\xff\xfe text"), codes=(1, 2))),
        ("1.27", "invalid UTF-8 in a question id and an -o path", non_utf8_ok),
        ("1.28", "120 KB answer and note through argv", long_argv),
        ("1.29", "control characters in a typed answer, shown on a TTY", typed_controls),
        ("1.30", "--data-dir is a regular file", cli(("--data-dir", "/etc/hostname", "session", "list"), codes=(2,))),
        ("1.33", "--data-dir ''", cli(("--data-dir", "", "session", "list"), codes=(2,), says="is empty")),
        ("1.49", "1 MB value, 1 MB note and a 1 MB word in an answers file", one_mb),
        ("1.51", "raw NUL and invalid UTF-8 in answers files", raw_bytes_in_answers),
        ("1.52", "every export format of a session with a 1 MB answer", exports_of_big),
        ("1.53", "PDF export of a session with a 1 MB answer", pdf_of_big),
        ("2.01", "DOCX zip bomb (300 MB of spaces)", zip_bomb),
        ("2.04-2.06", "DOCX with an external entity and a billion-laughs DTD", docx_entities),
        ("2.07", "random, header-only and truncated PDFs", damaged_pdfs),
        ("2.08", "AES-256 PDF with a user password", encrypted_pdf),
        ("2.09-2.11", "PDFs: empty password, cyclic page tree, CPU bomb", pytest_rows(
            "tests/robustness/test_robustness_fuzz_documents.py")),
        ("2.12", "PDF of 600 pages", many_pages),
        ("2.13", "50 MB text file", big_text),
        ("2.15", "random bytes as .md, /bin/ls as .txt", not_text),
        ("2.17", "folder holding a symlink to /etc/passwd", folder_symlink),
        ("2.18-2.19", "file names with backslashes, newlines, a dash, markup; Document No with ../", odd_names),
        ("2.23", "Document No: @catalogue", catalogue_id),
        ("2.24", "folder of 300 files, imported twice", many_files),
        ("2.26", "Latin-1 text with a Latin-1 Document No", latin1),
        ("3.01", "condition reaching __class__", pack_refused(when="pur_procedure.__class__ == \"x\"")),
        ("3.02", "condition with 2**99999999", pack_refused(when="pur_reeval_sampled > 2**99999999")),
        ("3.05", "bad date literal, division by zero, huge string repeat",
         pack_refused(when='d"0000-00-00" < audit_date')),
        ("3.06", "condition of 996 characters", pack_refused(when="(" * 190 + "true" + ")" * 190 + " and " + "not " * 95 + "true")),
        ("3.07", "regex, comprehension and $now in conditions", pack_refused(when='pur_procedure =~ "(a+)+$"')),
        ("3.07", "comprehension in a condition", pack_refused(when="[x for x in [1,2] if x] == [1]")),
        ("3.07", "$now in a condition", pack_refused(when="$now > audit_date")),
        ("3.09", "unknown question id in a condition", pack_refused(when='no_such_question == "no"')),
        ("3.10", "statement template reaching attributes", pack_refused(statement="${pur_procedure.__class__}")),
        ("3.11", "!!python/object/apply:os.system in a pack", pack_refused(raw="rules: !!python/object/apply:os.system ['touch /tmp/pwned']\n")),
        ("3.12", "pack YAML billion laughs and 20,000-deep nesting", pack_refused(raw="a: &a [" + ",".join(["x"] * 10) + "]\n"
                                                                                     + "".join(f"b{i}: &b{i} [" + ",".join(["*a" if i == 0 else f"*b{i-1}"] * 10) + "]\n" for i in range(9))
                                                                                     + "rules: *b8\n")),
        ("3.12", "pack YAML nested 20,000 deep", pack_refused(raw="rules: " + "[" * 20000 + "]" * 20000 + "\n")),
        ("3.13-3.15", "answers file attachments leaving its folder, symlinks, a folder", attachment_paths),
        ("3.16", "answers file with unknown ids, wrong types, extra fields", unknown_entries),
        ("3.22", "session import of existing and path-like ids, schema 99, bogus status, 7 digits", imports_refused),
        ("3.23", "session import naming ../../../../etc/passwd as an attachment", import_attachment_names),
        ("3.25", "a legitimate answers file with an attachment", legit_attachment),
        ("4.01-4.03", "kb import of 400 files killed at 1.5 s and 3 s, then rerun", kill_import),
        ("4.04-4.05", "index build killed, then ask", kill_index),
        ("4.09-4.10", "PDF export killed", kill_export),
        ("4.11", "backup killed, then the next start and the next backup", kill_backup),
        ("4.15", "two CLI writers answering the same question 15 times each", two_cli_writers),
        ("4.16", "writers through the API with a backup meanwhile", pytest_rows("tests/robustness/test_robustness_two_writers.py")),
        ("5.01", "restore over data without --force", restore_without_force),
        ("5.02", "restore --force gives back identical findings, history and files",
         pytest_rows("tests/robustness/test_robustness_backup.py")),
        ("5.03-5.04", "truncated, empty, random and bit-flipped backups", broken_backups),
        ("5.05", "backup members ../../, attachments/../../, index/", traversal_members),
        ("6.01-6.02", "ask with every connect traced (strace)", offline_strace),
        ("6.01", "the whole journey with the network replaced by a recorder", pytest_rows(
            "tests/robustness/test_robustness_offline.py")),
        ("7.01", "a pre-existing 0755 data dir", data_dir_tightened),
        ("7.02", "modes of the files inside the data dir", modes_inside),
        ("8.01-8.03", "crash harness: planted losses are reported", pytest_rows(
            "tests/robustness/test_robustness_crash.py", "tests/robustness/test_robustness_power_loss.py")),
    ]


def _pdf_bytes(pages: int = 2) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for page in range(pages):
        for line in range(40):
            pdf.drawString(72, 800 - line * 18, f"{page}.{line} Suppliers are evaluated and gauges calibrated per 5.5.")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _cut_after_last_member(whole: bytes, cut: bytes) -> bool:
    import zlib

    with tarfile.open(fileobj=io.BytesIO(whole), mode="r:gz") as archive:
        end = max(m.offset_data + m.size for m in archive.getmembers())
    kept = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    return len(kept) >= end


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def _recover(box) -> None:
    script = ("import sys; from assistant.locations import resolve_data_dir; from assistant.recovery import recover;"
              "recover(resolve_data_dir(sys.argv[1]), grace_s=0)")
    subprocess.run([sys.executable, "-c", script, str(box.home)], env=box.env, cwd=ROOT, check=True)


def _copies_match(box) -> str | None:
    with sqlite3.connect(box.home / "knowledge.db") as db:
        stored = {r[0] for r in db.execute("select stored_name from documents where stored_name is not null")}
    on_disk = {p.name for p in (box.home / "documents").iterdir()}
    return None if stored == on_disk else f"{len(on_disk - stored)} orphan copies, {len(stored - on_disk)} missing"
