#!/usr/bin/env bash
# Refresh the locks in requirements/ from pyproject.toml: the newest releases its ranges allow, exact versions with
# the hashes of every file on PyPI (every platform), for Python 3.11. Run it, run the suite against the new lock
# (README, "Development"), and commit both files with what moved in the message.
#   bash requirements/lock.sh            refresh everything to the newest allowed releases
#   bash requirements/lock.sh --keep     re-resolve after a change to pyproject.toml, moving nothing else
# The locks are made by uv (a well-kept resolver that writes pip-compatible requirements with hashes); uv is
# taken from $UV or PATH, or installed at the pinned version below into a scratch environment.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
uv="${UV:-$(command -v uv || true)}"
if [ -z "$uv" ]; then
    scratch="${TMPDIR:-/tmp}/kader-uv-$UV_VERSION"
    [ -x "$scratch/bin/uv" ] || { python3 -m venv "$scratch" && "$scratch/bin/pip" install -q "uv==$UV_VERSION"; }
    uv="$scratch/bin/uv"
fi
upgrade="--upgrade"; [ "${1:-}" = "--keep" ] && upgrade=""
common=(--python-version 3.11 --universal --generate-hashes --quiet --custom-compile-command "bash requirements/lock.sh")
"$uv" pip compile pyproject.toml $upgrade "${common[@]}" -o requirements/kader.txt
"$uv" pip compile pyproject.toml --extra test $upgrade "${common[@]}" -o requirements/test.txt
echo "requirements/kader.txt and requirements/test.txt refreshed"
