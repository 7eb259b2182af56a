"""mcp-attest (Python package) against the libraries a Python user would pick instead.

One run measures, on the same machine and interpreter:
  1. passport (EdDSA JWT) verification: ours vs PyJWT and joserfc;
  2. Ed25519 signature verification: ours vs cryptography and PyNaCl;
  3. a 100-tool tools/list: ours (manifest path and per-tool path) vs a per-tool loop that
     verifies each tool's JCS bytes with cryptography (json.loads + sorted compact
     json.dumps as the JCS stand-in, which is exact for these ASCII, float-free tools);
  4. import + first verify in a fresh interpreter, against a bare interpreter.

Figures are the best of several repeats (min time per operation). BENCH_QUICK=1 runs a
few-second smoke version whose figures are indicative only.
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPEATS = 3 if QUICK else 7
TARGET_SECONDS = 0.02 if QUICK else 0.25  # per repeat
IMPORT_RUNS = 3 if QUICK else 21

AUD = "https://mcp.example.com/mcp"


def per_op(fn: Callable[[], Any]) -> float:
    """Seconds per call: calibrate a loop count, then the best of REPEATS."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= TARGET_SECONDS / 4 or n >= 1 << 20:
            break
        n *= 2
    n = max(1, int(n * TARGET_SECONDS / max(dt, 1e-9)))
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.3f} ms"
    return f"{seconds * 1e6:8.2f} µs"


def row(label: str, seconds: float, baseline: float | None = None, note: str = "") -> None:
    # ratio: this row's time over the baseline's (ours): > 1 means ours is faster.
    ratio = "" if baseline is None else f"  {seconds / baseline:6.2f}x"
    print(f"  {label:<52} {fmt(seconds)}{ratio}  {note}".rstrip())


def main() -> int:
    # joserfc warns that "EdDSA" is deprecated by RFC 9864; the token under test uses it.
    warnings.filterwarnings("ignore", module="joserfc")
    import cryptography
    import joserfc
    import jwt as pyjwt  # PyJWT
    import mcp_attest as mi
    import nacl.signing
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import OKPKey

    print(
        f"Python {sys.version.split()[0]}; mcp-attest {mi.__version__}, PyJWT {pyjwt.__version__}, "
        f"joserfc {joserfc.__version__}, cryptography {cryptography.__version__}, PyNaCl {nacl.__version__}"
        + ("  [BENCH_QUICK: indicative only]" if QUICK else "")
    )
    print("  ratio = their time / our time (> 1: ours is faster)\n")

    seed = bytes(range(32))
    sk = mi.SigningKey.from_bytes(seed)
    vk = sk.verifying_key()
    crypto_sk = Ed25519PrivateKey.from_private_bytes(seed)
    crypto_pk: Ed25519PublicKey = crypto_sk.public_key()
    assert crypto_pk.public_bytes_raw() == vk.to_bytes()
    nacl_vk = nacl.signing.VerifyKey(vk.to_bytes())
    results: dict[str, float] = {}

    # 1. Passport / EdDSA JWT verification --------------------------------------------------
    now = int(time.time())
    token = mi.issue_self_passport(
        sk, mi.McpInfo("bench", version="1.0.0", endpoints=[AUD]), now=now, audience=AUD, ttl=86_400
    )
    jose_key = OKPKey.import_key(json.loads(vk.to_jwk()))
    registry = jose_jwt.JWTClaimsRegistry(aud={"essential": True, "value": AUD}, exp={"essential": True})

    def ours_passport() -> None:
        mi.verify_passport(token, audience=AUD)

    def ours_passport_pinned() -> None:
        mi.verify_passport(token, audience=AUD, subject=vk)

    def pyjwt_decode() -> None:
        pyjwt.decode(token, crypto_pk, algorithms=["EdDSA"], audience=AUD, options={"require": ["exp"]})

    def joserfc_decode() -> None:
        t = jose_jwt.decode(token, jose_key, algorithms=["EdDSA"])
        registry.validate(t.claims)

    for f in (ours_passport, ours_passport_pinned, pyjwt_decode, joserfc_decode):
        f()  # all accept the same token
    print("1. passport (compact EdDSA JWT) verify: signature + exp/aud checks")
    results["passport_ours"] = t_ours = per_op(ours_passport)
    results["passport_ours_pinned"] = t_pin = per_op(ours_passport_pinned)
    results["passport_pyjwt"] = t_pyjwt = per_op(pyjwt_decode)
    results["passport_joserfc"] = t_jose = per_op(joserfc_decode)
    row("mcp_attest.verify_passport (key from the did:key)", t_ours)
    row("mcp_attest.verify_passport (subject= pinned key)", t_pin)
    row("PyJWT jwt.decode (key object preloaded)", t_pyjwt, t_ours, "vs ours (did:key)")
    row("joserfc jwt.decode + JWTClaimsRegistry.validate", t_jose, t_ours, "vs ours (did:key)")

    # 2. Ed25519 verification ---------------------------------------------------------------
    msg = b"m" * 64
    sig = sk.sign(msg)
    print("\n2. Ed25519 verify (64-byte message; key objects preloaded)")
    results["ed25519_ours"] = t_ours = per_op(lambda: vk.verify(msg, sig))
    results["ed25519_cryptography"] = t_crypto = per_op(lambda: crypto_pk.verify(sig, msg))
    results["ed25519_pynacl"] = t_nacl = per_op(lambda: nacl_vk.verify(msg, sig))
    batch = [(msg, sig)] * 100
    results["ed25519_ours_batch_per_sig"] = t_batch = per_op(lambda: vk.verify_batch(batch)) / 100
    row("mcp_attest VerifyingKey.verify (strict)", t_ours)
    row("mcp_attest VerifyingKey.verify_batch, per signature", t_batch)
    row("cryptography Ed25519PublicKey.verify (OpenSSL)", t_crypto, t_ours)
    row("PyNaCl VerifyKey.verify (libsodium)", t_nacl, t_ours)

    # 3. A 100-tool tools/list --------------------------------------------------------------
    tools = {
        "tools": [
            {
                "name": f"tool_{i:03}",
                "title": f"Tool {i}",
                "description": f"Does thing number {i} with the given input and returns a result.",
                "inputSchema": {
                    "type": "object",
                    "properties": {"path": {"type": "string"}, "limit": {"type": "integer"}},
                    "required": ["path"],
                },
                "annotations": {"readOnlyHint": i % 2 == 0},
            }
            for i in range(100)
        ]
    }
    list_now = int(time.time())
    signed = mi.sign_tools_list(sk, tools, now=list_now, audience=AUD)
    signed_dict = json.loads(signed)
    meta_key = "io.modelcontextprotocol/server-identity"

    def theirs_per_tool() -> None:
        result = json.loads(signed)
        for t in result["tools"]:
            att = t["_meta"][meta_key]
            body = {k: t[k] for k in ("name", "description", "inputSchema", "outputSchema") if k in t}
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            s = att["signature"]
            crypto_pk.verify(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), canonical)

    def ours_manifest() -> None:
        r = mi.verify_tools_list(signed, vk, audience=AUD)
        assert r.verified

    def ours_manifest_dict() -> None:
        mi.verify_tools_list(signed_dict, vk, audience=AUD)

    def ours_per_tool() -> None:
        mi.verify_tools_list(signed, vk, audience=AUD, tool_signatures="always")

    theirs_per_tool()
    ours_manifest()
    print(f"\n3. tools/list with 100 tools ({len(signed) // 1024} KiB of JSON)")
    results["tools_ours_manifest"] = t_man = per_op(ours_manifest)
    results["tools_ours_manifest_dict"] = t_man_dict = per_op(ours_manifest_dict)
    results["tools_ours_per_tool"] = t_per = per_op(ours_per_tool)
    results["tools_theirs_per_tool"] = t_theirs = per_op(theirs_per_tool)
    row("ours: manifest path (1 signature + 100 hashes), str in", t_man)
    row("ours: manifest path, dict in (json.dumps transport)", t_man_dict)
    row("ours: per-tool path (tool_signatures='always')", t_per)
    row("theirs: json.loads + per-tool JCS-ish + cryptography", t_theirs, t_man, "vs ours manifest")
    print(f"  {'':<52} {'':>11}  {t_theirs / t_per:6.2f}x  vs ours per-tool")

    # 4. Import + first verify --------------------------------------------------------------
    code = f"import mcp_attest as m; m.verify_passport({token!r}, audience={AUD!r})"

    def spawn(args: list[str]) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True)
        return time.perf_counter() - t0

    spawn(["-c", code])
    bare, ours = [], []
    for _ in range(IMPORT_RUNS):  # interleaved, so drift hits both alike
        bare.append(spawn(["-c", "pass"]))
        ours.append(spawn(["-c", code]))
    b, o = statistics.median(bare), statistics.median(ours)
    results["import_bare"], results["import_ours"] = b, o
    print(f"\n4. import + first verify in a fresh interpreter (median of {IMPORT_RUNS})")
    row("bare interpreter: python -c pass", b)
    row("python -c 'import mcp_attest; verify_passport(...)'", o)
    print(f"  {'difference':<52} {fmt(o - b)}")

    # Goals ----------------------------------------------------------------------------------
    g1 = results["passport_pyjwt"] / results["passport_ours"]
    g2 = results["ed25519_pynacl"] / results["ed25519_ours"]
    g3 = (o - b) * 1e3
    print("\nGoals (issue 6):")
    print(f"  passport verify vs PyJWT        {g1:6.2f}x  (goal >= 4x)     {'met' if g1 >= 4 else 'NOT met'}")
    print(f"  Ed25519 verify vs PyNaCl        {g2:6.2f}x  (goal >= 1.5x)   {'met' if g2 >= 1.5 else 'NOT met'}")
    print(f"  import + first verify overhead  {g3:6.1f} ms (goal < 30 ms)  {'met' if g3 < 30 else 'NOT met'}")
    if os.environ.get("BENCH_JSON"):
        with open(os.environ["BENCH_JSON"], "w") as fh:
            json.dump(results, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
