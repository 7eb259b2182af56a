"""`auditwheel show` for one wheel, held to the platform tag it claims (scripts/wheels.sh).

Passes when auditwheel puts the wheel's symbols at exactly that tag and finds no library to
bundle. One allowance, for musllinux only: zig links musl extensions against `libc.so` (musl's
loader answers to that name; Alpine's own builds say `libc.musl-x86_64.so.1`), which auditwheel
does not recognise as musl on a glibc machine, so it falls back to this machine's libc and
lists `libc.so` as external. For a musllinux wheel the libc is therefore set to musl, and
`libc.so` (musl itself) is the one library allowed.

Usage: audit_wheel.py WHEEL TAG
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile

import auditwheel.libc
from auditwheel.main import main as auditwheel_main


def show(wheel: str, musl: bool) -> dict:
    if musl:
        auditwheel.libc.Libc.detect = staticmethod(lambda: auditwheel.libc.Libc.MUSL)
    out = io.StringIO()
    # No library search path: this machine's libraries say nothing about another
    # architecture's or libc's, and the policies' allowed libraries need none.
    with tempfile.TemporaryDirectory() as empty, contextlib.redirect_stdout(out):
        sys.argv = ["auditwheel", "show", "--json", "--ldpaths", empty, wheel]
        code = auditwheel_main()
    if code:
        sys.exit(f"auditwheel show exited {code}")
    return json.loads(out.getvalue())


def main() -> None:
    wheel, tag = sys.argv[1], sys.argv[2]
    musl = tag.startswith("musllinux_")
    r = show(wheel, musl)
    external = set(r["external_libs"]) - ({"libc.so"} if musl else set())
    got = r["sym_tag"] if musl else r["overall_tag"]
    print(
        f"auditwheel: {r['wheel']}: tag {got}; versioned symbols {r['versioned_symbols'] or None}; "
        f"external libraries {sorted(r['external_libs']) or None}"
    )
    if got != tag or external or r["unsupported_isa"]:
        sys.exit(f"auditwheel: expected {tag} and no external library, got {got} and {sorted(external)}")


if __name__ == "__main__":
    main()
