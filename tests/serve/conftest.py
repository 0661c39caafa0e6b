"""A real `kader serve` in a separate process on a free localhost port, and a small HTTP client (http.client)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"
KEY = "4be1c07f9a3d26e58b0c7d1a2f6e94b3c8d05a7e1f2b6c9d3a4e8f0b5c7d2a61"  # 256 bits, as `openssl rand -hex 32`
TOKENS = {"assessor": "a" * 8 + "-assessor-token-0123456789",
          "beleidsmedewerker": "b" * 8 + "-beleid-token-0123456789",
          "auditor": "c" * 8 + "-auditor-token-0123456789"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Server:
    """`python cli.py serve ...` as a child process; stopped with SIGTERM (graceful) or SIGKILL."""

    def __init__(self, home: Path, *args: str, env: dict | None = None):
        self.port = free_port()
        self.home = home
        self.env = {**os.environ, "HOME": str(home), "KADER_PSEUDONYM_KEY": KEY,
                    "KADER_REGISTER": str(home / "register.sqlite"), "KADER_CACHE_DIR": str(home / "cache"),
                    **(env or {})}
        for name in ("KADER_SERVE_TOKENS", "KADER_TOKEN_ASSESSOR", "KADER_TOKEN_BELEIDSMEDEWERKER", "KADER_TOKEN_AUDITOR"):
            if name not in (env or {}):
                self.env.pop(name, None)
        self.args = ["--port", str(self.port), *args]
        self.process: subprocess.Popen | None = None
        self.log = home / f"serve-{self.port}.log"

    def start(self, timeout: float = 90) -> "Server":
        self.home.mkdir(parents=True, exist_ok=True)
        handle = open(self.log, "wb")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", *self.args], cwd=self.home,
                                        env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kader serve stopped (exit {self.process.returncode}):\n{self.output()}")
            try:
                if self.request("GET", "/health").status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"kader serve did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        os.killpg(self.process.pid, sig)  # the server and its worker processes (its own session)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout)

    def connect(self, timeout: float = 60) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                connection: http.client.HTTPConnection | None = None) -> Reply:
        own = connection is None
        connection = connection or self.connect()
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            if own:
                connection.close()

    def post(self, path: str, body, *, token: str | None = None, content_type: str = "application/json",
             connection=None) -> Reply:
        headers = {"content-type": content_type}
        if token:
            headers["authorization"] = f"Bearer {token}"
        return self.request("POST", path, body, headers, connection)

    def get(self, path: str, *, token: str | None = None) -> Reply:
        return self.request("GET", path, headers={"authorization": f"Bearer {token}"} if token else {})


def example_case() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["case"]


def case_json(case: dict) -> bytes:
    return json.dumps(case, default=str, ensure_ascii=False).encode("utf-8")


@pytest.fixture(scope="session")
def serve_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="session")
def server(serve_home):
    """One worker, no tokens (localhost only), a SQLite register in the scratch folder."""
    running = Server(serve_home / "open").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def token_server(serve_home):
    """Tokens for each role from a 0600 file, CORS for one origin, small body and time limits."""
    home = serve_home / "tokens"
    home.mkdir()
    tokens = home / "tokens.yaml"
    tokens.write_text("".join(f"{role}: [{token}]\n" for role, token in TOKENS.items()), encoding="utf-8")
    tokens.chmod(0o600)
    running = Server(home, "--tokens", str(tokens), "--cors", "https://zaaksysteem.example",
                     "--max-body", "65536", "--timeout", "2").start()
    yield running
    running.stop()
