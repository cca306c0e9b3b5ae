"""Rerun the reliability review's attacks against the `q1audit` CLI and print one row per attack.

This module holds the attacks on the review's failing rows (the 17 defects); benchmarks/attack_rows.py
the rows it saw pass or warn. Each attack runs the real command in a fresh copy of a small data
directory and passes when the command ends with a result or one `q1audit:` line (never a traceback)
and the attack's own check holds; WARN marks a warning of the review that still stands, with why.
The disk-full, file-size, read-only and foreign-owner rows need Linux with `unshare` and `setpriv`
(root in a container is enough) and are skipped elsewhere.

    .venv/bin/python benchmarks/attacks.py              # about 20 minutes on a 2-core machine
    .venv/bin/python benchmarks/attacks.py --only 1.4   # the rows whose number starts so
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script, its sibling modules import as `benchmarks.*`
PROCEDURE = "Document No: {doc}\n\n# {title}\n\n## 1 Purpose\n\nSuppliers are evaluated per API Q1 5.5.1.2.\n"


class Box:
    """A scratch folder with a data directory holding one session, and helpers to attack it."""

    def __init__(self, scratch: Path, base: Path):
        self.scratch = scratch
        self.home = scratch / "home"
        shutil.copytree(base, self.home)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "Q1AUDIT_HOME": str(self.home),
                    "Q1AUDIT_EMBEDDER": "hashing", "HF_HUB_OFFLINE": "1"}
        self.session = "2026-001"

    def run(self, *args: str | bytes, prefix: tuple[str, ...] = (), timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, sys.executable, "-m", "assistant", *args], env=self.env, cwd=ROOT,
                              capture_output=True, timeout=timeout)

    def file(self, name: str | bytes, text: str | bytes) -> Path:
        path = Path(os.fsdecode(self.scratch)) / os.fsdecode(name)
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return path


def _clean(done: subprocess.CompletedProcess, codes=(0, 1, 2)) -> str | None:
    err = done.stderr.decode(errors="replace")
    if "Traceback" in err:
        return "traceback: " + err.strip().splitlines()[-1][:120]
    if done.returncode not in codes:
        return f"exit code {done.returncode}: {err.strip()[-120:]}"
    return None


def _alias_bomb(levels: int) -> str:
    return ("a0: &r0 [" + ",".join(['"PO-1"'] * 10) + "]\n"
            + "".join(f"a{i}: &r{i} [" + ",".join([f"*r{i - 1}"] * 10) + "]\n" for i in range(1, levels + 1))
            + f"pur_po_sampled: *r{levels}\n")


def _has_unshare() -> bool:
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


def _in_mount(box: Box, options: str, *args: str) -> subprocess.CompletedProcess:
    """Run q1audit with the data dir mounted with `options` (ro, or a tiny tmpfs that is full)."""
    script = (
        'set -e; d="$1"; shift; '
        + ('mount --bind "$d" "$d"; mount -o remount,ro,bind "$d" "$d"; ' if options == "ro" else
           'cp -a "$d" "$d.copy"; mount -t tmpfs -o size=8m tmpfs "$d"; cp -a "$d.copy/." "$d"; '
           'head -c $(( $(stat -f -c "%a*%S" "$d") - 40960 )) /dev/zero > "$d/filler" 2>/dev/null || true; ')
        + 'exec "$@"'
    )
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(box.home), sys.executable, "-m",
                           "assistant", *args], env=box.env, cwd=ROOT, capture_output=True, timeout=120)


def _in_full_disk(box: Box, args: list[str], after: str = ":") -> subprocess.CompletedProcess:
    """Run q1audit on a data dir that is a full 8 MB tmpfs, then the shell commands `after` (with $d the
    data dir and $PY Python) inside the same mount; the exit code is q1audit's."""
    script = ('set -e; d="$1"; PY="$2"; shift 2; cp -a "$d" "$d.copy"; mount -t tmpfs -o size=8m tmpfs "$d"; '
              'cp -a "$d.copy/." "$d"; head -c $(( $(stat -f -c "%a*%S" "$d") - 40960 )) /dev/zero > "$d/filler" '
              '2>/dev/null || true; set +e; "$PY" -m assistant "$@"; rc=$?; ' + after + '; exit $rc')
    def inside(arg: str) -> str:  # S is the session; OUT is on the full disk, SCRATCH/... beside it
        if arg == "S":
            return box.session
        if arg.startswith("SCRATCH/"):
            return str(box.scratch / arg[8:])
        return str(box.home / "out.pdf") if arg == "OUT" else arg

    return subprocess.run(["unshare", "-m", "sh", "-c", script.replace(" S ", f" {box.session} "), "sh", str(box.home),
                           sys.executable, *map(inside, args)], env=box.env, cwd=ROOT, capture_output=True, timeout=300)


def _without_privileges(box: Box, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """q1audit as root with every capability dropped: a folder owned by another user is as foreign to it
    as to an ordinary user (it cannot chmod it, or read it when it is 0700)."""
    return subprocess.run(["setpriv", "--bounding-set", "-all", "--inh-caps", "-all", sys.executable, "-m", "assistant",
                           "--data-dir", str(data_dir), *args], env=box.env, cwd=ROOT, capture_output=True, timeout=120)


def _has_setpriv() -> bool:
    return shutil.which("setpriv") is not None and os.geteuid() == 0


def _answers_with_photos(box: Box, size: int) -> Path:
    """An answers file in the scratch folder giving three answers, each with a photo of `size` bytes."""
    folder = box.scratch / "photos"
    folder.mkdir()
    entries = {}
    for i, qid in enumerate(("pur_procedure", "pur_reeval", "rsk_procedure")):
        (folder / f"p{i}.jpg").write_bytes(os.urandom(size))
        entries[qid] = {"value": "yes", "attachments": [f"p{i}.jpg"]}
    answers = folder / "a.json"
    answers.write_text(json.dumps(entries))
    return answers


def attacks() -> list[tuple[str, str, Callable[[Box], str | None]]]:
    def yaml_bomb(box: Box) -> str | None:
        started = time.perf_counter()
        done = box.run("session", "load", box.session, str(box.file("bomb.yaml", _alias_bomb(9))))
        took = time.perf_counter() - started
        return _clean(done, (1,)) or (None if took < 20 else f"took {took:.0f} s")

    def deep(name: str, text: str, *command: str):
        def attack(box: Box) -> str | None:
            path = box.file(name, text)
            return _clean(box.run(*command, str(path)) if command[0] == "session" and command[1] == "import"
                          else box.run(*command, box.session, str(path)), (1,))
        return attack

    def markup(box: Box) -> str | None:
        box.run("kb", "import", str(box.file("bad.md", PROCEDURE.format(doc="X-1", title="[/red]Title [draft]"))))
        done = box.run("kb", "list")
        return _clean(done, (0,)) or (None if b"[draft]" in done.stdout else "[draft] vanished")

    def escapes(box: Box) -> str | None:
        note = "\u001b]0;PWNED\u0007 \u001b[2J\u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007"
        box.run("session", "load", box.session, str(box.file("esc.json", json.dumps({"pur_procedure": {"value": "no", "note": note}}))))
        done = subprocess.run(["script", "-qc", f"{sys.executable} -m assistant session show {box.session}", "/dev/null"],
                              env=box.env, cwd=ROOT, capture_output=True, timeout=60)
        return None if b"\x1b]" not in done.stdout and b"\x1b[2J" not in done.stdout else "escape reached the terminal"

    def restore_killed(box: Box) -> str | None:
        backup = box.scratch / "b.tar.gz"
        box.run("backup", str(backup))
        killer = ("import shutil, os, runpy, sys; real = shutil.rmtree\n"
                  "def rmtree(p, *a, **k):\n    real(p, *a, **k)\n"
                  "    if str(p).endswith('attachments.old'): os._exit(9)\n"
                  "shutil.rmtree = rmtree; sys.argv = ['q1audit', 'restore', sys.argv[1], '--force']\n"
                  "runpy.run_module('assistant', run_name='__main__')\n")
        subprocess.run([sys.executable, "-c", killer, str(backup)], env=box.env, cwd=ROOT, capture_output=True)
        box.run("session", "list")  # the next start finishes the restore
        missing = [f for f in ("documents", "attachments") if not (box.home / f).is_dir()]
        return f"missing {missing}" if missing else None

    def non_utf8_folder(box: Box) -> str | None:
        folder = box.scratch / "usb"
        folder.mkdir()
        for n, stem in enumerate((b"a_first", b"m-\xff", b"z_last")):
            (folder / os.fsdecode(stem + b".md")).write_text(f"# T{n}\n\n## 1 Purpose\n\nSuppliers, {n}.\n")
        done = box.run("kb", "import", str(folder))
        return _clean(done, (0,)) or (None if done.stdout.count(b"added") == 3 else done.stdout.decode()[-200:])

    def bad_arg(*args: str | bytes):
        def attack(box: Box) -> str | None:
            return _clean(box.run(*[a.replace("S", box.session) if a == "S" else a for a in args]), (1, 2))
        return attack

    def bad_data_dir(path: str):
        def attack(box: Box) -> str | None:
            return _clean(box.run("--data-dir", path, "session", "list"), (2,))
        return attack

    def mounted(options: str, *args: str, codes=(0,)):
        def attack(box: Box) -> str | None:
            if not _has_unshare():
                return "skipped (needs unshare)"
            return _clean(_in_mount(box, options, *[box.session if a == "S" else a for a in args]), codes)
        return attack

    def load_killed(box: Box) -> str | None:
        answers = _answers_with_photos(box, 4_000_000)
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "session", "load", box.session, str(answers)],
                                env=box.env, cwd=ROOT)
        time.sleep(1.2)
        proc.kill()
        proc.wait()
        recover = ("import sys; from assistant.locations import resolve_data_dir; from assistant.recovery import recover;"
                   "recover(resolve_data_dir(sys.argv[1]), grace_s=0)")
        subprocess.run([sys.executable, "-c", recover, str(box.home)], env=box.env, cwd=ROOT, check=True)
        box.run("session", "load", box.session, str(answers))
        box.run("session", "load", box.session, str(answers))  # a reload copies nothing again
        files = list((box.home / "attachments" / box.session).glob("*"))
        return None if len(files) == 3 else f"{len(files)} attachment files for 3 answers"

    def world_readable(box: Box) -> str | None:
        out = box.scratch / "r.json"
        box.run("export", box.session, "--format", "json", "-o", str(out))
        return None if out.exists() and (out.stat().st_mode & 0o077) == 0 else "export readable by others"

    def named_symlink(box: Box) -> str | None:
        link = box.scratch / "passwd_link.md"
        link.symlink_to("/etc/passwd")
        done = box.run("kb", "import", str(link))
        return _clean(done, (1,)) or (None if not list((box.home / "documents").glob("passwd*")) else "followed")

    def corrupt_backup(box: Box) -> str | None:
        import hashlib
        import io
        import tarfile

        member = b"not a database" * 200
        manifest = {"format": "q1audit-backup/1", "created_at": "2026-01-01T00:00:00Z", "sessions": 0,
                    "documents": 0, "files": [{"name": "audits.db", "size": len(member),
                                               "sha256": hashlib.sha256(member).hexdigest()}]}
        archive = box.scratch / "bad.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            for name, data in (("manifest.json", json.dumps(manifest).encode()), ("audits.db", member)):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return _clean(box.run("restore", str(archive), "--force"), (1,))

    def duration_literal(box: Box) -> str | None:
        pack = box.file("pack.yaml", (ROOT / "rules" / "packs").glob("*.yaml").__next__().read_text().replace(
            "when: '", "when: 'audit_date + t\"P99999999999D\" > audit_date and ", 1))
        return _clean(box.run("rules", "check", str(pack)), (0, 1))

    def id_rollover(box: Box) -> str | None:
        export = box.scratch / "s.json"
        box.run("export", box.session, "--format", "json", "-o", str(export))
        data = json.loads(export.read_text())
        data["session"]["id"] = "2026-999999"
        export.write_text(json.dumps(data))
        box.run("session", "import", str(export))
        new = box.run("session", "new", "--title", "next", "--scope", "purchasing").stdout.decode().strip()
        return None if len(new.split("-")[1]) <= 6 else f"new id {new}"

    def document_no(box: Box) -> str | None:
        box.run("kb", "import", str(box.file("qp07.md", PROCEDURE.format(doc="QP-07", title="Real purchasing"))))
        box.run("kb", "import", str(box.file("innocent.md", PROCEDURE.format(doc="QP-07", title="Innocent"))))
        return None if b"Real purchasing" in box.run("kb", "list").stdout else "replaced silently"

    def nul(box: Box) -> str | None:
        box.run("session", "load", box.session, str(box.file("nul.json", '{"pur_procedure": {"value": "no - a\\u0000b"}}')))
        out = box.scratch / "s.csv"
        box.run("export", box.session, "--format", "csv", "-o", str(out))
        return "NUL stored" if b"\x00" in out.read_bytes() else None

    def full(*args: str, after: str = ":", codes=(2,), check: Callable[[bytes], str | None] = lambda out: None):
        def attack(box: Box) -> str | None:
            if not _has_unshare():
                return "skipped (needs unshare)"
            done = _in_full_disk(box, list(args), after)
            return _clean(done, codes) or check(done.stdout)
        return attack

    def foreign(setup: str, *args: str, codes=(2,)):
        def attack(box: Box) -> str | None:
            if not _has_setpriv():
                return "skipped (needs setpriv and root)"
            outer = box.scratch / "outer"
            outer.mkdir()
            data = outer / "data"
            if setup == "empty 0755":
                data.mkdir()
            elif setup in ("populated 0755", "populated 0700"):
                shutil.copytree(box.home, data)
            else:  # inside a 0700 folder of another user
                shutil.copytree(box.home, data)
                os.chown(outer, 1234, 1234)
                outer.chmod(0o700)
            if setup != "inside 0700":
                for path in [data, *data.rglob("*")]:
                    os.chown(path, 1234, 1234, follow_symlinks=False)
                data.chmod(0o700 if setup == "populated 0700" else 0o755)
            return _clean(_without_privileges(box, data, *args), codes)
        return attack

    def ulimited(blocks: int, *args: str):
        def attack(box: Box) -> str | None:
            done = subprocess.run(["sh", "-c", f'ulimit -f {blocks}; exec "$@"', "sh", sys.executable, "-m", "assistant",
                                   *[str(box.scratch / a) if a.startswith("out.") else box.session if a == "S" else a
                                     for a in args]], env=box.env, cwd=ROOT, capture_output=True, timeout=120)
            return _clean(done, (2,))
        return attack

    def large_docx(box: Box) -> str | None:
        import random
        import zipfile

        path = box.scratch / "huge.docx"
        rng = random.Random(3)  # varied words: it packs about 4:1, as real text does, not like a zip bomb
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(300)]
        body = "".join("<w:p><w:r><w:t>" + " ".join(rng.choice(words) for _ in range(60)) + "</w:t></w:r></w:p>"
                       for _ in range(24_000))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                       '2006/main"><w:body>' + body + "</w:body></w:document>")
        started = time.perf_counter()
        done = box.run("kb", "import", str(path))
        took = time.perf_counter() - started
        said = done.stderr.decode()
        return _clean(done, (1,)) or (None if "passages by its size" in said and "no (no terminal" in said and took < 30
                                      else f"{took:.0f} s: {said[-160:]}")

    def ask_after_large(box: Box) -> str | None:
        text = "# Big\n\n" + "".join(f"## {n} Part\n\n" + "Suppliers are evaluated and gauges calibrated. " * 40 + "\n\n"
                                      for n in range(3000))
        box.run("kb", "import", "--yes", str(box.file("big.md", text)), timeout=600)
        real_model = {k: v for k, v in box.env.items() if k not in ("Q1AUDIT_EMBEDDER",)}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "assistant", "ask", "supplier evaluation"], env=real_model, cwd=ROOT,
                              capture_output=True, timeout=600)
        took = time.perf_counter() - started
        return _clean(done, (1, 2)) or (None if b"q1audit index build" in done.stderr and took < 120
                                         else f"{took:.0f} s, rc {done.returncode}: {done.stderr.decode()[-160:]}")

    def escaped_names(box: Box) -> str | None:
        name = "ansi\x1b[31mred\x07.md"
        box.file(name, PROCEDURE.format(doc="ESC-1", title="\x1b]0;pwned-title\x07 Escapes"))
        box.run("kb", "import", str(box.scratch / name))
        done = subprocess.run(["script", "-qc", f"{sys.executable} -m assistant kb list", "/dev/null"], env=box.env,
                              cwd=ROOT, capture_output=True, timeout=60)
        return None if b"\x1b]0" not in done.stdout and b"\x1b[31mred" not in done.stdout else "escape reached the terminal"

    def torn_copy(box: Box) -> str | None:
        answers = _answers_with_photos(box, 1_000_000)
        killer = ("import os, runpy, sys\nimport assistant.sessions.attachments as a\ncopies = []\n"
                  "def torn(source, fd):\n    copies.append(source)\n"
                  "    if len(copies) == 2:\n        os.write(fd, open(source, 'rb').read(65536)); os._exit(9)\n"
                  "    real(source, fd)\nreal = a.copy_to_fd; a.copy_to_fd = torn\n"
                  "sys.argv = ['q1audit', 'session', 'load', sys.argv[1], sys.argv[2]]\n"
                  "runpy.run_module('assistant', run_name='__main__')\n")
        subprocess.run([sys.executable, "-c", killer, box.session, str(answers)], env=box.env, cwd=ROOT, capture_output=True)
        recover = ("import sys; from assistant.locations import resolve_data_dir; from assistant.recovery import recover;"
                   "recover(resolve_data_dir(sys.argv[1]), grace_s=0)")
        subprocess.run([sys.executable, "-c", recover, str(box.home)], env=box.env, cwd=ROOT, check=True)
        left = [p.name for p in (box.home / "attachments").rglob("*") if p.is_file()]
        return f"left after the kill: {left}" if left else None

    def no_space_tmp(out: bytes) -> str | None:
        return "vectors.faiss.tmp left behind" if b".tmp" in out else None

    def works_again(out: bytes) -> str | None:
        return None if b"AFTER-OK" in out else "did not work after space was freed"

    return [
        ("1.36", "foreign-owned empty 0755 data dir: session new", foreign("empty 0755", "session", "new", "--title", "x")),
        ("1.37", "foreign-owned 0700 data dir: session list", foreign("populated 0700", "session", "list")),
        ("1.38", "foreign-owned 0755 data dir: session list", foreign("populated 0755", "session", "list", codes=(0, 2))),
        ("1.39", "data dir inside another user's 0700 folder: session list", foreign("inside 0700", "session", "list")),
        ("1.41", "disk full: session show", full("session", "show", "S", codes=(0,))),
        ("1.42", "disk full: kb import of a 450 KB document", lambda box: full(
            "kb", "import", str(box.file("big.md", PROCEDURE.format(doc="BIG-1", title="Big") + "Gauges. " * 56_000)),
            codes=(1, 2))(box)),
        ("1.43", "disk full: export -o into the full disk, and into exports/", full(
            "export", "S", "--format", "pdf", "-o", "OUT", after='"$PY" -m assistant export S --format docx; echo "rc2=$?"',
            check=lambda out: None if b"rc2=2" in out else "default export did not end in one line")),
        ("1.44", "disk full: backup (its staging copies fill the disk)", full("backup", "SCRATCH/b.tar.gz")),
        ("1.45", "disk full: index build --force leaves no temporary file", full(
            "index", "build", "--force", after='ls -a "$d/index"', codes=(0, 2), check=no_space_tmp)),
        ("1.47", "after space is freed: answer works, integrity ok", full(
            "session", "new", "--title", "d2", codes=(0, 2),
            after='rm "$d/filler"; "$PY" -m assistant session answer S pur_procedure yes && echo AFTER-OK',
            check=works_again)),
        ("1.48", "file-size limit: export --format pdf", ulimited(20, "export", "S", "--format", "pdf", "-o", "out.pdf")),
        ("1.48", "file-size limit: backup", ulimited(10, "backup", "out.tar.gz")),
        ("2.03", "DOCX of 24,000 long paragraphs: asked about before it is read", large_docx),
        ("2.21", "escape sequences in a file name and title, kb list on a TTY", escaped_names),
        ("2.30", "ask after a 3,000-section import, on the real model", ask_after_large),
        ("4.07", "session load killed mid-copy of an attachment (torn copy)", torn_copy),
        ("3.17-3.19", "YAML alias bomb (10^9 strings) in an answers file", yaml_bomb),
        ("3.20", "answers file JSON nested 100,000 deep", deep("d.json", '{"a": ' + "[" * 100000 + "]" * 100000 + "}", "session", "load")),
        ("3.20", "answers file YAML nested 100,000 deep", deep("d.yaml", "a: " + "[" * 100000 + "]" * 100000 + "\n", "session", "load")),
        ("3.21", "session import JSON nested 100,000 deep", deep("i.json", "[" * 100000 + "]" * 100000, "session", "import")),
        ("2.20", "document title [/red]Title [draft] then kb list", markup),
        ("3.30", "OSC/CSI escapes in an answers file note, on a TTY", escapes),
        ("4.12-4.13", "restore killed after a folder was moved aside", restore_killed),
        ("2.25", "folder import with a file name that is not UTF-8", non_utf8_folder),
        ("1.21", "invalid UTF-8 in an answer value", bad_arg("session", "answer", "S", "pur_procedure", b"no - \xff\xfe")),
        ("1.22", "invalid UTF-8 in --note", bad_arg("session", "answer", "S", "pur_reeval", "no", "--note", b"\xc3( bad")),
        ("1.25", "invalid UTF-8 in a session id", bad_arg("session", "show", b"2026-\xff")),
        ("1.26", "invalid UTF-8 in an ask question", bad_arg("ask", b"calibration \xff\xfe sticker")),
        ("1.31", "--data-dir below a file", bad_data_dir("/etc/hostname/sub")),
        ("1.32", "--data-dir /dev/null", bad_data_dir("/dev/null")),
        ("1.34", "read-only data dir: session list", mounted("ro", "session", "list")),
        ("1.35", "read-only data dir: kb list", mounted("ro", "kb", "list")),
        ("1.35", "read-only data dir: session new (refused in one line)", mounted("ro", "session", "new", "--title", "x", codes=(2,))),
        ("1.40", "disk full: session answer with a 120 KB note", mounted("full", "session", "answer", "S", "pur_procedure", "yes", "--note", "z" * 120000, codes=(0, 2))),
        ("1.46", "disk full: session new", mounted("full", "session", "new", "--title", "d2", codes=(0, 2))),
        ("4.06-4.08", "session load killed mid-copy, recovered, reloaded twice", load_killed),
        ("7.03", "export -o outside the data dir", world_readable),
        ("2.16", "kb import of a symlink to /etc/passwd named on the command line", named_symlink),
        ("5.06", "restore of a backup whose audits.db is not a database", corrupt_backup),
        ("3.04", 'rules check of t"P99999999999D"', duration_literal),
        ("3.24", "session import of 2026-999999, then session new", id_rollover),
        ("2.22", "a second file claiming Document No: QP-07", document_no),
        ("1.50", "NUL in an answers file, then CSV export", nul),
    ]


def _row_key(row: str) -> tuple[int, ...]:
    return tuple(int(part) for part in row.split("-")[0].split("."))


def main() -> None:
    from benchmarks.attack_rows import rows

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="Only rows whose number starts with this (e.g. 1.4).")
    args = parser.parse_args()
    table = sorted(attacks() + rows(), key=lambda r: _row_key(r[0]))
    table = [r for r in table if args.only is None or r[0].startswith(args.only)]
    with tempfile.TemporaryDirectory(prefix="q1audit-attacks-") as tmp:
        base = Path(tmp) / "base"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "Q1AUDIT_HOME": str(base), "Q1AUDIT_EMBEDDER": "hashing"}
        subprocess.run([sys.executable, "-m", "assistant", "session", "new", "--title", "attacks", "--scope",
                        "purchasing"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "assistant", "kb", "list"], env=env, cwd=ROOT, check=True,
                       capture_output=True)  # a populated data directory, as in the review
        printed, failed, warned = [], 0, 0
        for number, (row, name, attack) in enumerate(table):
            scratch = Path(tmp) / f"a{number}"
            scratch.mkdir()
            try:
                problem = attack(Box(scratch, base))
            except Exception as exc:  # noqa: BLE001 - an attack that breaks the harness is a failure to show
                problem = f"harness error: {exc!r}"[:160]
            verdict = ("PASS" if problem is None else "SKIP" if problem.startswith("skipped")
                       else "WARN" if problem.startswith("warn: ") else "FAIL")
            failed += verdict == "FAIL"
            warned += verdict == "WARN"
            detail = "" if problem is None else ": " + problem.removeprefix("warn: ")
            printed.append(f"| {row} | {name} | {verdict}{detail} |")
            print(printed[-1], flush=True)
        print(f"\n{len(printed)} attacks, {failed} failed, {warned} warnings")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
