"""Runs one binding call ``n`` times for bench/profile/icount.sh (instructions under callgrind).

``python icount_py.py <op> <n>``; op: ``ed25519`` (VerifyingKey.verify), ``passport``
(verify_passport, key from the did:key, with audience) or ``passport_pinned`` (subject=). The
fixtures are bench/rust/src/bin/icount.rs's: the same key, message, passport and clock.
"""

import sys

import mcp_attest as mi

NOW = 1_800_000_000
AUD = "https://mcp.example.com/mcp"

op, n = sys.argv[1], int(sys.argv[2])
sk = mi.SigningKey.from_bytes(bytes(range(32)))
vk = sk.verifying_key()
msg = b"m" * 64
sig = sk.sign(msg)
token = mi.issue_self_passport(
    sk, mi.McpInfo("bench", version="1.0.0", endpoints=[AUD]), now=NOW, audience=AUD, ttl=86_400
)
if op == "ed25519":
    for _ in range(n):
        vk.verify(msg, sig)
elif op == "passport":
    for _ in range(n):
        mi.verify_passport(token, now=NOW, audience=AUD)
elif op == "passport_pinned":
    for _ in range(n):
        mi.verify_passport(token, now=NOW, audience=AUD, subject=vk)
else:
    raise SystemExit(f"unknown op {op}")
