"""A recording process for the tests: records COUNT cases into a register, one line per committed record.

    python worker.py REGISTER ASSESSOR COUNT

It loads the framework, opens the register, prints `ready`, waits for a line on standard input (so that
several workers start at the same moment), then records COUNT cases, each with its own case id, and prints
the seq of every record as soon as it is committed.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import yaml

import engine
from engine.language.sources import parse_text
from engine.register import Recorder, load_key, open_register, prepare, recording_options

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.register.conftest import RULES, case_data  # noqa: E402


def main(target: str, assessor: str, count: int) -> None:
    framework = engine.load_framework(RULES)
    options = recording_options(True, assessor=assessor, decision="volgt", motivation=None, register=None,
                                where="worker")
    key = load_key()
    with open_register(target, create=True) as register:
        recorder = Recorder(register, framework, RULES, lambda: _dt.datetime.now(_dt.timezone.utc))
        print("ready", flush=True)
        sys.stdin.readline()
        for index in range(count):
            text = yaml.safe_dump(case_data(id=f"{assessor}-{index}"), sort_keys=False)
            prepared = prepare(framework, parse_text(text, f"{assessor}-{index}.yaml"), options, key)
            record = recorder.append(prepared)
            print(record.seq, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
