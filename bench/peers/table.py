"""The table of issue #14's goals from the runs of bench/js/peers.mjs and bench/python/peers.py:
per row the median ratio over the runs, the spread (lowest–highest run) and the goal.

``python table.py node.json python.json`` (files written with BENCH_JSON). Exits 0 whether or
not a goal is met: the table reports, the reader judges; a missing row is an error.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

# (row key, label, goal, "max" when the figure must stay under the goal, unit)
ROWS = [
    (
        "mcp_sdk1_100_identity_over_plain",
        "connect + tools/list, 100 tools, identity / plain (SDK 1.x, in-memory)",
        1.3,
        "max",
        "×",
    ),
    ("py_passport_vs_pyjwt", "Python passport verify vs PyJWT (× faster)", 4.0, "min", "×"),
    ("py_ed25519_vs_pynacl", "Python Ed25519 verify vs PyNaCl (× faster)", 1.5, "min", "×"),
    ("node_passport_vs_jose", "Node passport verify vs jose, pre-imported KeyObject (× faster)", 1.5, "min", "×"),
    ("node_startup_over_bare_ms", "Node import + first verify, over bare `node -e 0` (ms)", 25.0, "max", " ms"),
    ("node_startup_cost_over_jose", "Node import + first verify, our cost / jose's (below jose)", 1.0, "max", "×"),
    ("npm_size_gzip_kb mcp-attest", "npm default entry, wasm + JS, gzip (KB)", 100.0, "max", " KB"),
    ("npm_size_gzip_kb mcp-attest/verify", "npm verify-only entry (mcp-attest/verify), gzip (KB)", 100.0, "max", " KB"),
]
# The floors: the peer against our bare signature check of the same input, measured in the same
# run — the ratio a verification with no cost besides its signature check would reach.
FLOORS = [
    ("py_passport_floor_vs_pyjwt", "Python: PyJWT passport verify / our bare signature check"),
    ("py_ed25519_vs_pynacl", "Python: PyNaCl / our Ed25519 verify (all signature already)"),
    ("node_passport_floor_vs_jose", "Node: jose passport verify / our bare signature check"),
]
# Rows for reference, printed under the goals.
MORE = [
    ("mcp_sdk2_100_identity_over_plain", "connect + tools/list, 100 tools, identity / plain (SDK 2.x)"),
    ("mcp_py_100_identity_over_plain", "connect + tools/list, 100 tools, identity / plain (Python mcp 2.x)"),
    ("node_passport_pinned_vs_jose", "Node passport verify, subject pinned, vs jose (× faster)"),
    ("py_passport_pinned_vs_pyjwt", "Python passport verify, subject pinned, vs PyJWT (× faster)"),
    ("node_ed25519_vs_node_crypto", "Node Ed25519 verify (wasm) vs node:crypto (× faster)"),
    ("py_ed25519_vs_cryptography", "Python Ed25519 verify vs cryptography (× faster)"),
    ("npm_size_gzip_kb mcp-attest/slim", "npm slim entry (wasm as a file), gzip (KB)", " KB"),
]


def main() -> int:
    rows: dict[str, list[float]] = {}
    notes = []
    quick = False
    for path in sys.argv[1:]:
        data = json.loads(Path(path).read_text())
        rows.update(data["rows"])
        notes.append(data["runtime"])
        quick = quick or data.get("quick", False)

    def cells(key: str) -> tuple[float, str, int]:
        xs = rows[key]
        return statistics.median(xs), f"{min(xs):.2f}–{max(xs):.2f}", len(xs)

    width = 68
    print(f"issue #14 goals, one run of each runtime ({', '.join(notes)}){'  [BENCH_QUICK]' if quick else ''}")
    print(f"{'':<{width}} {'median':>9} {'spread':>13} {'runs':>4}  goal")
    for key, label, goal, kind, unit in ROWS:
        med, spread, n = cells(key)
        met = med <= goal if kind == "max" else med >= goal
        sign = "≤" if kind == "max" else "≥"
        figure = f"{med:.2f}{unit}"
        print(f"{label:<{width}} {figure:>9} {spread:>13} {n:>4}  {sign} {goal:g}{unit}  {'met' if met else 'NOT met'}")
    print("\nfloors (no cost but the signature check)")
    for key, label in FLOORS:
        med, spread, n = cells(key)
        print(f"{label:<{width}} {f'{med:.2f}×':>9} {spread:>13} {n:>4}")
    print("\nfor reference")
    for key, label, *unit in MORE:
        med, spread, n = cells(key)
        print(f"{label:<{width}} {f'{med:.2f}{unit[0] if unit else chr(215)}':>9} {spread:>13} {n:>4}")
    print(
        "\nratios per run, each run interleaving ours and the peer in one process; spread = lowest–highest run;"
        "\nstart-up: fresh processes, interleaved; sizes: gzip -9 of what each entry downloads, measured once"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
