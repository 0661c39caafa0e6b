#!/usr/bin/env bash
# Know early when upstream moves: install the newest releases that pyproject.toml allows (not the lock) into a
# scratch environment, say which versions differ from the lock, and run the whole suite against them.
#   bash requirements/newest.sh [PYTEST ARGS...]
# Exit status is pytest's. The scratch environment is left in $KADER_NEWEST_VENV (default /tmp/kader-newest).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${KADER_NEWEST_VENV:-${TMPDIR:-/tmp}/kader-newest}"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q --upgrade --upgrade-strategy eager -e ".[test]"
echo "releases that differ from requirements/test.txt:"
"$venv/bin/python" - <<'PY'
import re
from importlib import metadata
from pathlib import Path

locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^ \\]+)", Path("requirements/test.txt").read_text(), re.M))
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
locked = {norm(k): v for k, v in locked.items()}
moved = 0
for dist in sorted(metadata.distributions(), key=lambda d: norm(d.metadata["Name"])):
    name = norm(dist.metadata["Name"])
    if name in locked and locked[name] != dist.version:
        print(f"  {name}: {locked[name]} (lock) -> {dist.version}")
        moved += 1
print(f"  {moved} moved" if moved else "  none: the lock is up to date")
PY
exec "$venv/bin/python" -m pytest "$@"
