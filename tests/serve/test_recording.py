"""POST /assess?record=true writes the record of `kader assess --record`; a server stopped mid-recording
leaves the register whole, and the client an error rather than a half-written record."""

from __future__ import annotations

import http.client
import signal
import sqlite3
import threading
import time

import pytest
from typer.testing import CliRunner

from cli import app
from engine.register import audit, open_register

from .conftest import KEY, Server, case_json, example_case

pytestmark = pytest.mark.slow

RECORD = "/assess?record=true&assessor=consulent-17&decision=volgt"
COMPARED = ("case_key", "gemeente", "peildatum", "framework_hash", "engine_version", "assessor", "decision",
            "motivation", "case_json", "assessment_json")


def stored(register: str, seq: int):
    with open_register(register) as target:
        return next(r for r in target.records() if r.seq == seq)


def test_a_recording_over_http_is_the_record_kader_assess_record_writes(server, tmp_path):
    body = case_json(example_case())
    reply = server.post(RECORD, body)
    assert reply.status == 200
    assert reply.body == server.post("/assess", body).body  # the same assessment as without recording
    seq = int(reply.headers["kader-record-seq"])
    served = stored(server.env["KADER_REGISTER"], seq)
    assert served.hash == reply.headers["kader-record-hash"] and served.case_key == reply.headers["kader-case-key"]

    path = tmp_path / "casus.json"
    path.write_bytes(body)
    register = str(tmp_path / "cli.sqlite")
    result = CliRunner().invoke(app, ["assess", str(path), "--record", "--assessor", "consulent-17", "--decision",
                                      "volgt", "--register", register, "--format", "json"],
                                env={"KADER_PSEUDONYM_KEY": KEY, "HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert result.stdout.encode("utf-8") == reply.body
    by_cli = stored(register, 1)
    assert {k: getattr(served, k) for k in COMPARED} == {k: getattr(by_cli, k) for k in COMPARED}
    assert served.case_key.startswith("hmac-sha256:") and "casus-0042" not in served.case_json


def test_a_case_with_a_bsn_is_refused_like_on_the_command_line_and_nothing_is_written(server, tmp_path):
    register = server.env["KADER_REGISTER"]
    with open_register(register, create=True) as target:
        before = len(target.records())
    case = example_case()
    case["id"] = "123456782"  # nine digits that pass the elfproef: looks like a BSN
    reply = server.post(RECORD, case_json(case))
    assert reply.status == 422 and reply.json()["type"] == "urn:kader:problem:recording-refused"
    path = tmp_path / "casus.json"
    path.write_bytes(case_json(case))
    result = CliRunner().invoke(app, ["assess", str(path), "--record", "--assessor", "consulent-17", "--decision",
                                      "volgt", "--register", str(tmp_path / "cli.sqlite")],
                                env={"KADER_PSEUDONYM_KEY": KEY, "HOME": str(tmp_path)})
    assert result.exit_code == 1
    expected = [line.replace(str(path), "body") for line in result.stderr.splitlines() if "error[E" in line]
    assert reply.json()["diagnostics"] == expected
    assert expected[0].startswith("body:1:8: error[E940]: veld 'id' bevat een nummer dat op een BSN lijkt")
    with open_register(register) as target:
        assert len(target.records()) == before


@pytest.mark.parametrize("query, line", [
    ("record=true&assessor=consulent-17&decision=wijkt_af",
     "?record:1:1: error[E903]: een afwijking van het voorstel (wijkt_af) vraagt een motivering; geef --motivation met "
     "de reden van de afwijking"),
    ("record=true&decision=volgt",
     "?record:1:1: error[E901]: --record vraagt --assessor: wie beoordeelt (uw medewerkerskenmerk)"),
    ("record=true&assessor=consulent-17&decision=wijkt_af&motivation=zie+dossier+123456782",
     "?record:1:1: error[E942]: --motivation bevat een nummer dat op een BSN lijkt (9 cijfers, elfproef): een BSN mag "
     "niet in het register; vervang het door een pseudoniem of een eigen kenmerk zonder persoonsgegevens"),
])
def test_recording_options_are_checked_as_on_the_command_line(server, query, line):
    reply = server.post("/assess?" + query, case_json(example_case()))
    assert reply.status == 422 and reply.json()["diagnostics"] == [line]


def _recording_clients(server: Server, count: int, stop: threading.Event, outcomes: list):
    def client(number: int) -> None:
        connection = server.connect(timeout=30)
        index = 0
        while not stop.is_set():
            case = example_case()
            case["id"] = f"stop-{number}-{index}"
            index += 1
            try:
                reply = server.post(RECORD, case_json(case), connection=connection)
            except (OSError, http.client.HTTPException) as exc:
                outcomes.append(("error", type(exc).__name__))
                return
            if reply.status != 200:
                outcomes.append(("status", reply.status))
                return
            outcomes.append(("recorded", int(reply.headers["kader-record-seq"]), reply.headers["kader-record-hash"]))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.parametrize("sig, workers", [(signal.SIGTERM, 1), (signal.SIGKILL, 1), (signal.SIGTERM, 2)],
                         ids=["sigterm", "sigkill", "sigterm-2-workers"])
def test_a_server_stopped_in_the_middle_of_recordings_leaves_the_register_whole(serve_home, sig, workers):
    home = serve_home / f"stop-{sig.name}-{workers}"
    register = str(home / "register.sqlite")
    acknowledged: dict[int, str] = {}
    for round_ in range(2):
        server = Server(home, "--workers", str(workers), env={"KADER_REGISTER": register}).start()
        outcomes: list = []
        stop = threading.Event()
        threads = _recording_clients(server, 4, stop, outcomes)
        deadline = time.monotonic() + 120
        while sum(o[0] == "recorded" for o in outcomes) < 12 + round_ * 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.stop(sig)
        stop.set()
        for thread in threads:
            thread.join(60)
        recorded = [o for o in outcomes if o[0] == "recorded"]
        failed = [o for o in outcomes if o[0] != "recorded"]
        assert len(recorded) >= 12 and len(failed) >= 1, outcomes[-8:]  # every client ended on an error
        assert all(o[0] == "error" or o[1] == 503 for o in failed), failed
        acknowledged.update({seq: digest for _, seq, digest in recorded})

    with open_register(register) as target:
        records = target.records()
        report = audit(target)
    seqs = [r.seq for r in records]
    assert seqs == list(range(1, len(seqs) + 1))  # no gap, no fork
    by_seq = {r.seq: r for r in records}
    for seq, digest in acknowledged.items():  # everything a client was told is recorded, is, unchanged
        assert by_seq[seq].hash == digest
    assert len(records) - len(acknowledged) <= 2 * 4  # at most the requests in flight when the server stopped
    assert report.chain_ok and report.first_broken is None and report.not_reproduced == []
    with sqlite3.connect(register) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
