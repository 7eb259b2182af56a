#!/usr/bin/env python3
"""Writes large adversarial seeds for one fuzz target into a directory.

libFuzzer grows input length slowly (-len_control), so in a short run it never reaches the
sizes where a quadratic path shows. These seeds start it at the shapes `just bench-cost`
grows — wide objects, long arrays, escapes, nesting at the depth limit, many tools — near
each entry point's byte limit, so that with -timeout a slow input is a finding. They are
generated (deterministic) rather than committed, to keep megabytes out of the repository.
Sizes stay near half of 4 MiB: under ASan on a loaded 2-core machine a linear 3 MB input took
up to 6 s, too close to the 10 s limit, while the quadratic path of issue #10 still needs
about 30 s for the 2 MB `wide-result` seed.

Usage: large_seeds.py TARGET OUTDIR
"""

import os
import sys

# The public key of seed-1 (tests/vectors/keys.json), base64url.
SEED1_X = "rz0gJk-cJu8IW1zlN_QX1CQDegljpjhv9tBQ5b93NxQ"


def members(n: int, prefix: str = "k") -> str:
    return ",".join(f'"{prefix}{i:07d}":0' for i in range(n))


def deep(depth: int) -> str:
    return "[" * depth + "0" + "]" * depth


def seeds(target: str) -> dict[str, str]:
    if target == "json_jcs":  # default limits: 1 MiB, depth 64
        return {
            "wide-object": "{" + members(70_000) + "}",
            "wide-object-dup-last": "{" + members(70_000) + ',"k0000000":1}',
            "long-array": "[" + ",".join("0" for _ in range(450_000)) + "]",
            "escapes": '"' + "\\u00e9" * 160_000 + '"',
            "deep-nesting": "[" + ",".join(deep(63) for _ in range(7_000)) + "]",
        }
    if target == "tools_list":  # 4 MiB, 4096 tools
        tool = '{{"name":"t{0:05d}","description":"Tool {0}.","inputSchema":{{"type":"object"}}}}'
        return {
            "wide-result": '{"tools":[],' + members(150_000) + "}",
            "many-tools": '{"tools":[' + ",".join(tool.format(i) for i in range(4096)) + "]}",
            "wide-schema": '{"tools":[{"name":"t","inputSchema":{"properties":{'
            + ",".join(f'"p{i:06d}":{{}}' for i in range(150_000))
            + "}}}]}",
            "schema-nesting": '{"tools":[{"name":"t","inputSchema":{"properties":{'
            + ",".join(f'"p{i:06d}":{deep(58)}' for i in range(10_000))
            + "}}}]}",
        }
    if target == "trust_store":  # 16 MiB, depth 16
        return {
            "wide-store": '{"version":1,"pins":[],"issuers":[],"revocationLists":[],' + members(150_000, "x") + "}",
            # Distinct ids under one valid key (seed-1's): loading checks ids for repeats.
            "many-issuers": '{"version":1,"pins":[],"revocationLists":[],"issuers":['
            + ",".join(
                f'{{"id":"i{i:06d}","keys":[{{"crv":"Ed25519","kty":"OKP","x":"{SEED1_X}"}}]}}' for i in range(18_000)
            )
            + "]}",
        }
    if target == "identity_challenge":  # identity 64 KiB (depth 16), params 4 KiB
        return {
            "many-attestations": '{"publicKey":{},"attestations":['
            + ",".join(f'{{"type":"dns","n":{i}}}' for i in range(2_500))
            + "]}",
            "wide-attestation": '{"publicKey":{},"attestations":[{"type":"dns",' + members(4_500) + "}]}",
        }
    if target == "session":  # answers NUL-separated; pages 4 MiB each, at most 8
        tool = '{{"name":"t{0:05d}","description":"Tool {0}.","inputSchema":{{"type":"object"}}}}'
        return {
            "many-tools": '{"tools":[' + ",".join(tool.format(i) for i in range(4096)) + ']}\0!-32601 ',
            "wide-page": '{"tools":[],' + members(150_000) + "}\0!-32601 ",
            "eight-pages": "\0".join(
                '{"tools":[' + ",".join(tool.format(p * 500 + i) for i in range(500)) + f'],"nextCursor":"c{p + 1}"}}'
                for p in range(8)
            ),
        }
    return {}


def main() -> None:
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, text in seeds(target).items():
        with open(os.path.join(out, f"{target}-large-{name}"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
