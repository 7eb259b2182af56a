#!/usr/bin/env bash
# actionlint over .github/workflows (just lint), from the dev venv (requirements-dev.txt pins it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
.venv/bin/actionlint -no-color .github/workflows/*.yml
echo "actionlint: $(ls .github/workflows/*.yml | tr '\n' ' ')clean"
