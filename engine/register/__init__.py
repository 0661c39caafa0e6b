"""The register of assessments and its audit.

`kader assess --record` appends a record (pseudonymous case key, case inputs,
rule-set hash, engine version, peildatum, the full assessment, the assessor's
decision and motivation, a timestamp) to an append-only, hash-chained register:
a SQLite file by default, PostgreSQL for a team. The exact rule files of every
rule set used are kept in the register, so `kader audit` can replay each record
against the rules it was assessed with, given the register and nothing else.

May import: the rule language, the assessment and the shared base; never the tools (which use
engine.register.privacy). tests/test_architecture.py enforces this.
"""

from .audit import AuditReport, audit
from .base import Register
from .errors import RecordingRefused, RegisterError
from .pseudonym import case_key, load_key
from .recording import (
    Recorder,
    RecordingOptions,
    assess_and_record,
    assess_and_record_once,
    open_register,
    prepare,
    read_case_document,
    recording_options,
    register_target,
)
from .records import GENESIS, Record, canonical_json, verify_chain

__all__ = [
    "AuditReport", "GENESIS", "Record", "Recorder", "RecordingOptions", "RecordingRefused", "Register",
    "RegisterError", "assess_and_record", "assess_and_record_once", "audit", "canonical_json", "case_key", "load_key", "open_register",
    "prepare", "read_case_document", "recording_options", "register_target", "verify_chain",
]
