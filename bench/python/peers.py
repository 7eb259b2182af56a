"""The Python rows of ``just bench-peers``, in one process: every ratio measured RUNS times
(default 5), each run interleaving ours with the peers, so the median and the spread over runs
come from the same conditions.

  passport  mcp_attest.verify_passport (key from the did:key; and with subject= pinned) vs
            PyJWT jwt.decode with a preloaded key object (the goal row), and the floor: PyJWT
            against our bare signature check of the same token
  ed25519   VerifyingKey.verify vs PyNaCl VerifyKey.verify (the goal row) and cryptography
  mcp       connect + tools/list of a 100-tool ``mcp`` 2.x server, identity (default
            verify_server) vs plain, in memory (see bench/mcp/overhead.py)

Writes ``{row: [ratio per run]}`` to BENCH_JSON (for bench/peers/table.py), or prints it.
BENCH_QUICK=1: a smoke run. BENCH_RUNS=n: runs (>= 3 for a spread).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = int(os.environ.get("BENCH_RUNS", "3" if QUICK else "5"))
SLICES = 3 if QUICK else 7  # interleaved slices per contender in one run
SLICE_S = 0.03 if QUICK else 0.12
MCP_SAMPLES = 5 if QUICK else 25
AUD = "https://mcp.example.com/mcp"


def race(contenders: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Seconds per call of each contender: SLICES interleaved time slices each; the median."""
    names = list(contenders)
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(SLICES):
        for n in reversed(names) if r % 2 else names:
            f = contenders[n]
            ops = 0
            t0 = t = time.perf_counter()
            while t - t0 < SLICE_S:
                for _ in range(16):
                    f()
                ops += 16
                t = time.perf_counter()
            samples[n].append((t - t0) / ops)
    return {n: statistics.median(samples[n]) for n in names}


def main() -> int:
    import jwt as pyjwt  # PyJWT
    import mcp_attest as mi
    import nacl.signing
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "mcp"))
    import anyio
    import overhead  # bench/mcp/overhead.py: the same servers and samples as `just bench-mcp`

    logging.getLogger("mcp_attest").setLevel(logging.WARNING)

    seed = bytes(range(32))
    sk = mi.SigningKey.from_bytes(seed)
    vk = sk.verifying_key()
    crypto_pk = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    nacl_vk = nacl.signing.VerifyKey(vk.to_bytes())
    now = int(time.time())
    token = mi.issue_self_passport(
        sk, mi.McpInfo("bench", version="1.0.0", endpoints=[AUD]), now=now, audience=AUD, ttl=86_400
    )
    # The floor of the passport rows: our bare signature check of the same token (its signing
    # input and signature), with nothing else a passport verification does.
    head, payload, signature = token.split(".")
    signing_input = f"{head}.{payload}".encode()
    token_sig = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    msg = b"m" * 64
    sig = sk.sign(msg)

    passport = {
        "ours": lambda: mi.verify_passport(token, audience=AUD),
        "ours_pinned": lambda: mi.verify_passport(token, audience=AUD, subject=vk),
        "signature_only": lambda: vk.verify(signing_input, token_sig),
        "pyjwt": lambda: pyjwt.decode(
            token, crypto_pk, algorithms=["EdDSA"], audience=AUD, options={"require": ["exp"]}
        ),
    }
    ed25519 = {
        "ours": lambda: vk.verify(msg, sig),
        "pynacl": lambda: nacl_vk.verify(msg, sig),
        "cryptography": lambda: crypto_pk.verify(sig, msg),
    }
    # Each contender must accept before it is timed (a rejecting one would be timing an error).
    for f in (*passport.values(), *ed25519.values()):
        f()

    plain = overhead.build_server(100)
    ident = overhead.build_server(100)
    overhead.attach_identity(ident, key=overhead.KEY)
    cell: dict[str, Any] = {"n": 100, "plain": plain, "identity": ident}

    async def mcp_ratio() -> float:
        times: dict[str, list[float]] = {"plain": [], "identity": []}
        for r in range(MCP_SAMPLES + 2):
            for mode in ("identity", "plain") if r % 2 else ("plain", "identity"):
                s = await overhead.sample(cell, mode)
                if r >= 2:
                    times[mode].append(s["total"])
        return statistics.median(times["identity"]) / statistics.median(times["plain"])

    rows: dict[str, list[float]] = {
        "py_passport_vs_pyjwt": [],
        "py_passport_pinned_vs_pyjwt": [],
        "py_passport_floor_vs_pyjwt": [],
        "py_ed25519_vs_pynacl": [],
        "py_ed25519_vs_cryptography": [],
        "mcp_py_100_identity_over_plain": [],
    }
    started = time.perf_counter()
    for run in range(RUNS):
        p = race(passport)
        rows["py_passport_vs_pyjwt"].append(p["pyjwt"] / p["ours"])
        rows["py_passport_pinned_vs_pyjwt"].append(p["pyjwt"] / p["ours_pinned"])
        rows["py_passport_floor_vs_pyjwt"].append(p["pyjwt"] / p["signature_only"])
        e = race(ed25519)
        rows["py_ed25519_vs_pynacl"].append(e["pynacl"] / e["ours"])
        rows["py_ed25519_vs_cryptography"].append(e["cryptography"] / e["ours"])
        m = anyio.run(mcp_ratio)
        rows["mcp_py_100_identity_over_plain"].append(m)
        print(
            f"run {run + 1}/{RUNS}: passport {p['ours'] * 1e6:.1f} µs (PyJWT {p['pyjwt'] * 1e6:.1f}), "
            f"ed25519 {e['ours'] * 1e6:.1f} µs (PyNaCl {e['pynacl'] * 1e6:.1f}), mcp 100 tools {m:.2f}x",
            file=sys.stderr,
        )
    runtime = f"Python {sys.version.split()[0]}"
    print(
        f"{runtime}, {RUNS} runs, {time.perf_counter() - started:.1f} s{' (BENCH_QUICK)' if QUICK else ''}",
        file=sys.stderr,
    )
    out = {"runtime": runtime, "quick": QUICK, "rows": rows}
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(out, indent=2))
    else:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
