#!/usr/bin/env bash
# Creates .venv at the repository root (if missing) and installs the pinned dev tools of the
# Python package into it (if missing or changed). Idempotent: a second run does nothing.
# requirements-dev.txt names the tools; requirements-dev.lock (pip-compile, with hashes) pins
# them and everything they pull in, and is what is installed.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # bindings/python
root="$(cd "$here/../.." && pwd)"                 # repository root
venv="$root/.venv"
req="$here/requirements-dev.lock"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup.sh: creating $venv"
    "$python" -m venv "$venv"
fi

# A stamp named after the requirements' hash: the install runs again only when the pins change.
sum=$("$venv/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest()[:16])' "$req")
stamp="$venv/.mcp-attest-py-dev-$sum"
if [ ! -f "$stamp" ]; then
    echo "setup.sh: installing pinned dev tools into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$req"
    rm -f "$venv"/.mcp-attest-py-dev-*
    touch "$stamp"
else
    echo "setup.sh: dev tools already installed in $venv"
fi
