"""Fixtures for the register: both backends (SQLite file, real PostgreSQL server), a fixed pseudonym key, cases."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest
import yaml

from .pg import INSTALL_HINT, Cluster, find_bindir

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"
KEY = "9f3c1e7a5b2d80c4e6a1f7b3d9c05e28a4f6b1d3c7e9a2f05b8d4c6e1a3f7b92"  # 256 bits, as `openssl rand -hex 32`

# A household of one with a Wmo request (maatwerk huishoudelijke hulp) and a request for bijstand.
CASE = {
    "id": "casus-0042",
    "gemeente": "soest",
    "peildatum": "2026-03-01",
    "melddatum": "2026-02-20",
    "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-05-01", "beperkt": True}],
                   "woonsituatie": "huurwoning"},
    "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": "850.00"}],
    "vermogen": {"totaal": "1200.00"},
    "hulpvragen": [
        {"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
         "feiten": {"mantelzorg_beschikbaar": False, "eigen_kracht_toereikend": False,
                    "algemeen_gebruikelijke_voorziening": False, "regie_over_huishouden": False}},
        {"id": "hv2", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
         "feiten": {"voorliggende_voorziening": False}},
    ],
    "signalen": [],
}


def case_data(**changes) -> dict:
    data = copy.deepcopy(CASE)
    data.update(changes)
    return data


def write_case(folder: Path, name: str = "casus.yaml", **changes) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(case_data(**changes), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    cluster = Cluster(bindir)
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture()
def pg_url(pg_cluster) -> str:
    """A fresh, empty PostgreSQL database on the throwaway server."""
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request, tmp_path) -> str:
    """A register location for each backend: a new SQLite path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kader-register.sqlite")
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def env(tmp_path, register_url) -> dict:
    """The environment of an assessor: the pseudonym key, the register, the rules."""
    return {"KADER_PSEUDONYM_KEY": KEY, "KADER_REGISTER": register_url, "KADER_RULES": str(RULES),
            "HOME": str(tmp_path / "home"), "COLUMNS": "160", "NO_COLOR": "1"}


def execute(url: str, *statements: str) -> None:
    """Run SQL directly against a register, behind the tool's back."""
    if url.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
        return
    connection = sqlite3.connect(url, isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def drop_triggers(url: str) -> None:
    from engine.register.base import TABLES
    if url.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(url, autocommit=True) as connection:
            for table in TABLES:
                rows = connection.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = %s::regclass",
                                          (table,)).fetchall()
                for (name,) in rows:
                    connection.execute(f"DROP TRIGGER {name} ON {table}")
        return
    connection = sqlite3.connect(url, isolation_level=None)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
        for name in names:
            connection.execute(f"DROP TRIGGER {name}")
    finally:
        connection.close()


def assessor_url(url: str) -> str:
    """The same PostgreSQL register as a role with only SELECT and INSERT on its tables (as the README recommends)."""
    import psycopg
    database = url.split("?", 1)[0].rsplit("/", 1)[1]
    role = f"consulent_{database}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f"GRANT SELECT, INSERT ON kader_records, kader_rulesets, kader_meta TO {role}")
    return url.replace("postgresql://kader@", f"postgresql://{role}@", 1)


@pytest.fixture()
def three(env, tmp_path) -> dict:
    """Three records (test_audit, test_attacks): two followed proposals (Soest, Baarn; different households) and one
    motivated deviation (record 3)."""
    from .test_audit import record
    record(env, write_case(tmp_path, "a.yaml", id="casus-a"))
    record(env, write_case(tmp_path, "b.yaml", id="casus-b", gemeente="baarn", vermogen={"totaal": "300.00"}))
    record(env, write_case(tmp_path, "c.yaml", id="casus-c", vermogen={"totaal": "9000.00"}), "wijkt_af")
    return env
