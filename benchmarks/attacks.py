"""Rerun the reliability review's failing attacks against the `q1audit` CLI and print one row per attack.

Each attack runs the real command in a fresh copy of a small data directory and passes when the
command ends with a result or one `q1audit:` line (never a traceback) and the attack's own check
holds. The disk-full, file-size and read-only rows need Linux with `unshare` (root in a container
is enough) and are skipped elsewhere. The review's rows 1.53 (PDF export time) and 1.10/1.11
(plausibility of dates and counts) belong to other parts and are not rerun here.

    .venv/bin/python benchmarks/attacks.py              # about 3 minutes on a 2-core machine
"""

from __future__ import annotations

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
        folder = box.scratch / "photos"
        folder.mkdir()
        entries = {}
        for i, qid in enumerate(("pur_procedure", "pur_reeval", "rsk_procedure")):
            (folder / f"p{i}.jpg").write_bytes(os.urandom(4_000_000))
            entries[qid] = {"value": "yes", "attachments": [f"p{i}.jpg"]}
        answers = folder / "a.json"
        answers.write_text(json.dumps(entries))
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

    return [
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


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="q1audit-attacks-") as tmp:
        base = Path(tmp) / "base"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "Q1AUDIT_HOME": str(base), "Q1AUDIT_EMBEDDER": "hashing"}
        subprocess.run([sys.executable, "-m", "assistant", "session", "new", "--title", "attacks", "--scope",
                        "purchasing"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "assistant", "kb", "list"], env=env, cwd=ROOT, check=True,
                       capture_output=True)  # a populated data directory, as in the review
        rows, failed = [], 0
        for number, (row, name, attack) in enumerate(attacks()):
            scratch = Path(tmp) / f"a{number}"
            scratch.mkdir()
            try:
                problem = attack(Box(scratch, base))
            except Exception as exc:  # noqa: BLE001 - an attack that breaks the harness is a failure to show
                problem = f"harness error: {exc!r}"[:160]
            verdict = "PASS" if problem is None else "SKIP" if problem.startswith("skipped") else "FAIL"
            failed += verdict == "FAIL"
            rows.append(f"| {row} | {name} | {verdict}{'' if problem is None else ': ' + problem} |")
            print(rows[-1], flush=True)
        print(f"\n{len(rows)} attacks, {failed} failed")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
