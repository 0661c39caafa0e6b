"""A throwaway PostgreSQL cluster for the tests: initdb in a scratch folder, a private unix socket, stopped after.

The server binaries come from Debian's `postgresql` package (`.ci/run` installs it); they live in
/usr/lib/postgresql/<version>/bin, which is not on PATH. When the tests run as root, the cluster runs as the
`postgres` user that the package creates (PostgreSQL refuses to run as root). Nothing is skipped: without the
binaries the tests fail and say how to install them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = ("PostgreSQL-server niet gevonden (initdb, pg_ctl, postgres). Installeer Debian's pakket: "
                "`apt-get install -y postgresql` (.ci/run doet dat), of wijs KADER_PG_BINDIR naar de map met die programma's.")
PORT = 54329  # only a unix socket in a private folder is used, so the number cannot clash


def _version(path: Path) -> tuple:
    try:
        return (int(path.parent.name),)
    except ValueError:
        return (0,)


def find_bindir() -> Path | None:
    candidates: list[Path] = []
    if os.environ.get("KADER_PG_BINDIR"):
        candidates.append(Path(os.environ["KADER_PG_BINDIR"]))
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    for candidate in candidates:
        if all((candidate / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return candidate
    return None


class Cluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres").pw_name
            except KeyError:
                raise RuntimeError("de tests draaien als root maar gebruiker 'postgres' bestaat niet; " + INSTALL_HINT) from None
        self.base = Path(tempfile.mkdtemp(prefix="kader-pg-"))
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.counter = 0

    def _run(self, *args: str) -> None:
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []}
        result = subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                                cwd=self.base, timeout=120, **kwargs)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} mislukte ({result.returncode}):\n{result.stdout}\n{result.stderr}\n{log}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "kader", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-k {self.base} -c listen_addresses='' -p {PORT} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://kader@/{database}?host={self.base}&port={PORT}"

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"kader_test_{self.counter}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)
