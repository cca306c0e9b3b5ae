"""`q1audit serve` over HTTP: the page on loopback, and the access token off it (bounded; stops itself)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Served:
    """`q1audit serve` in a child process, stopped on exit whatever happens."""

    def __init__(self, data_dir: Path, host: str):
        self.host, self.port = host, _free_port(host)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "serve",
             "--host", host, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def first_line(self) -> str:
        """What the server says on start (the address to open)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if "http://" in line:
                return line
            if not line and self.process.poll() is not None:
                break
        pytest.fail(f"serve said nothing useful (exit {self.process.poll()})")

    def get(self, path: str) -> tuple[int, str]:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                return _get(f"http://{self.host}:{self.port}{path}")
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)


def test_serve_on_loopback_shows_the_app_page(tmp_path):
    with Served(tmp_path, "127.0.0.1") as served:
        assert "this machine only" in served.first_line()
        status, page = served.get("/")
        assert status == 200
        assert "q1audit" in page and "/ws" in page


def test_serve_on_another_address_refuses_requests_without_the_token(tmp_path):
    # 127.0.0.2 is this machine too, but not by its loopback name: it stands for a LAN address here.
    with Served(tmp_path, "127.0.0.2") as served:
        line = served.first_line()
        token = re.search(r"token=([\w-]+)", line).group(1)
        assert served.get("/")[0] == 403
        assert served.get("/?token=wrong")[0] == 403
        assert served.get("/ws")[0] == 403
        status, page = served.get(f"/?token={token}")
        assert status == 200 and "q1audit" in page
