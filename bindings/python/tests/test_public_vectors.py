"""The shared public vectors (../shared/vectors), with the verdicts of the Rust runners in
crates/mcp-attest/tests/*.rs. json/base64/hex from the standard library only read the
files' structure; every key, signature, encoding and canonical byte compared comes from
mcp_attest."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import mcp_attest as mi
import pytest
from conftest import SHARED_VECTORS, shared_bytes, shared_json, shared_path, shared_text


def verdict(pk: bytes, msg: bytes, sig: bytes) -> str:
    """'accept', 'reject_signature' or 'reject_key:<code>'; batch must agree with single."""
    try:
        vk = mi.VerifyingKey.from_bytes(pk)
    except mi.McpAttestError as e:
        return f"reject_key:{e.code}"
    try:
        vk.verify(msg, sig)
        single = "accept"
    except mi.InvalidSignatureError as e:
        assert e.code == "invalid_signature"
        single = "reject_signature"
    # The batch path (above its single-verification threshold) gives the same verdict.
    assert vk.verify_batch([(msg, sig)] * 5) == [single == "accept"] * 5
    return single


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- RFC 8032 -----------------------------------------------------------------------------


def test_rfc8032_derive_sign_verify() -> None:
    ran = 0
    for v in shared_json("rfc8032-ed25519.json")["vectors"]:
        name = v["name"]
        seed, public = bytes.fromhex(v["secret_key"]), bytes.fromhex(v["public_key"])
        msg, sig = bytes.fromhex(v["message"]), bytes.fromhex(v["signature"])
        assert len(msg) == v["message_length"], name
        sk = mi.SigningKey.from_bytes(seed)
        vk = sk.verifying_key()
        assert vk.to_bytes() == public, name
        assert mi.VerifyingKey.from_bytes(public) == vk
        assert sk.sign(msg) == sig, name
        assert sk.sign(bytearray(msg)) == sig
        vk.verify(msg, sig)
        vk.verify(memoryview(msg), bytearray(sig))
        tampered = bytes([msg[0] ^ 1]) + msg[1:] if msg else b"\x00"
        with pytest.raises(mi.InvalidSignatureError):
            vk.verify(tampered, sig)
        for i in (0, 40):
            bad = bytearray(sig)
            bad[i] ^= 1
            with pytest.raises(mi.InvalidSignatureError):
                vk.verify(msg, bytes(bad))
        ran += 1
    assert ran == 5


def test_pkcs8_and_spki_round_trip_rfc8032_keys() -> None:
    ran = 0
    for v in shared_json("rfc8032-ed25519.json")["vectors"]:
        seed = bytes.fromhex(v["secret_key"])
        sk = mi.SigningKey.from_bytes(seed)
        vk = sk.verifying_key()
        v1, v2 = sk.to_pkcs8_der(), sk.to_pkcs8_der(v2=True)
        assert len(v1) == 48 and v1 != v2 and v2.endswith(vk.to_bytes())
        for der in (v1, v2):
            k = mi.SigningKey.from_pkcs8_der(der)
            assert k.to_bytes() == seed and k.verifying_key() == vk
        for pem in (sk.to_pkcs8_pem(), sk.to_pkcs8_pem(v2=True)):
            assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
            assert pem.endswith("-----END PRIVATE KEY-----\n")
            assert mi.SigningKey.from_pkcs8_pem(pem).to_bytes() == seed
        spki = vk.to_spki_der()
        assert len(spki) == 44 and spki[:12].hex() == "302a300506032b6570032100" and spki[12:] == vk.to_bytes()
        assert mi.VerifyingKey.from_spki_der(spki) == vk
        assert mi.VerifyingKey.from_spki_pem(vk.to_spki_pem()) == vk
        ran += 1
    assert ran == 5


# --- Wycheproof ---------------------------------------------------------------------------


def test_wycheproof_eddsa_verify() -> None:
    file = shared_json("wycheproof/ed25519_test.json")
    assert file["algorithm"] == "EDDSA"
    ran = valid = invalid = acceptable = 0
    for group in file["testGroups"]:
        assert group["type"] == "EddsaVerify"
        pk = bytes.fromhex(group["publicKey"]["pk"])
        try:
            vk: mi.VerifyingKey | None = mi.VerifyingKey.from_bytes(pk)
        except mi.McpAttestError:
            vk = None
        if vk is not None:
            der = bytes.fromhex(group["publicKeyDer"])
            assert mi.VerifyingKey.from_spki_der(der) == vk
            assert vk.to_spki_der() == der
            assert mi.VerifyingKey.from_spki_pem(group["publicKeyPem"]) == vk
            assert mi.VerifyingKey.from_jwk(group["publicKeyJwk"]) == vk
        for t in group["tests"]:
            ours = verdict(pk, bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"]))
            if vk is None:
                assert t["result"] == "invalid", t["tcId"]
            if t["result"] == "valid":
                valid += 1
                assert ours == "accept", t["tcId"]
            elif t["result"] == "invalid":
                invalid += 1
                assert ours != "accept", t["tcId"]
            elif t["result"] == "acceptable":
                acceptable += 1
            else:
                raise AssertionError(f"unknown result {t['result']}")
            ran += 1
    assert ran == file["numberOfTests"] == 151
    assert valid + invalid + acceptable == ran


# --- speccheck ----------------------------------------------------------------------------


def test_speccheck_matches_recommended_expect() -> None:
    cases = shared_json("ed25519-speccheck/cases.json")
    exps = shared_json("ed25519-speccheck/expectations.json")["cases"]
    assert len(cases) == len(exps) == 12
    accepted = []
    for exp in exps:
        i = exp["index"]
        case = cases[i]
        for member in ("message", "pub_key", "signature"):
            assert case[member] == exp[member]
        ours = verdict(bytes.fromhex(case["pub_key"]), bytes.fromhex(case["message"]), bytes.fromhex(case["signature"]))
        want = exp["recommended_expect"]
        assert (ours == "accept") == (want == "accept"), f"speccheck {i}: {ours} vs {want}"
        assert exp["ed25519_dalek_2_verify_strict"] == want
        if exp.get("public_key_is_small_order") is True:
            assert ours in ("reject_key:weak_key", "reject_key:invalid_key"), i
        if ours == "accept":
            accepted.append(i)
    assert accepted == [3]


# --- CCTV ---------------------------------------------------------------------------------


def test_cctv_matches_dalek_verify_strict() -> None:
    vectors = shared_json("cctv/ed25519vectors.json")
    results = shared_json("cctv/dalek-expectations.json")["results"]
    assert len(vectors) == len(results) == 914
    strict = {r["number"]: r["dalek_verify_strict"] for r in results}
    assert len(strict) == 914
    ran = accepted = 0
    for v in vectors:
        flags = v["flags"] or []
        ours = verdict(bytes.fromhex(v["key"]), v["msg"].encode(), bytes.fromhex(v["sig"]))
        assert (ours == "accept") == strict[v["number"]], f"CCTV {v['number']} {flags}: {ours}"
        if ours.startswith("reject_key:"):
            assert ours in ("reject_key:weak_key", "reject_key:invalid_key")
            assert "low_order_A" in flags or "non_canonical_A" in flags
        if "low_order_A" in flags:
            assert ours.startswith("reject_key:")
        accepted += ours == "accept"
        ran += 1
    assert (ran, accepted) == (914, 43)


# --- keypair import -----------------------------------------------------------------------


def test_keypair_import_cases() -> None:
    ran = 0
    for case in shared_json("ed25519-keypair-import.json")["cases"]:
        data = bytes.fromhex(case["input_hex"])
        if case["expect"] == "ok":
            sk = mi.SigningKey.from_bytes(data)
            assert sk.verifying_key().to_bytes().hex() == case["derived_public_key"]
            assert sk.to_bytes() == data[:32]
        else:
            assert case["expect"] == "error"
            with pytest.raises(mi.InvalidKeyError) as info:
                mi.SigningKey.from_bytes(data)
            want = "key_mismatch" if len(data) == 64 else "invalid_key_length"
            assert info.value.code == want, case["name"]
        ran += 1
    assert ran == 7


# --- RFC 8037 -----------------------------------------------------------------------------


def test_rfc8037_appendix_a() -> None:
    file = shared_json("rfc8037-jose-ed25519.json")
    a1 = file["rfc8037_A1_private_jwk"]
    sk = mi.SigningKey.from_jwk(a1)
    vk = sk.verifying_key()
    assert sk.to_bytes().hex() == file["key_hex"]["seed"]
    assert vk.to_bytes().hex() == file["key_hex"]["public"]
    assert mi.canonicalize(sk.to_jwk()) == mi.canonicalize(a1)
    a2 = file["rfc8037_A2_public_jwk"]
    assert mi.VerifyingKey.from_jwk(json.dumps(a2)) == vk
    assert mi.canonicalize(vk.to_jwk()) == mi.canonicalize(a2)
    a3 = file["rfc8037_A3_thumbprint"]
    assert vk.to_jwk() == a3["canonical_json"]
    assert vk.jwk_thumbprint() == a3["thumbprint_b64url"]
    assert mi.base64url_decode(vk.jwk_thumbprint()).hex() == a3["sha256_hex"]
    a4 = file["rfc8037_A4_jws_ed25519_signing"]
    header_b64 = mi.base64url_encode(a4["protected_header_json"].encode())
    payload_b64 = mi.base64url_encode(a4["payload_utf8"].encode())
    assert header_b64 == a4["protected_header_b64url"]
    assert payload_b64 == a4["payload_b64url"]
    signing_input = f"{header_b64}.{payload_b64}"
    assert signing_input == a4["signing_input"]
    sig = sk.sign(signing_input.encode())
    assert sig.hex() == a4["signature_hex"]
    assert mi.base64url_encode(sig) == a4["signature_b64url"]
    assert f"{signing_input}.{mi.base64url_encode(sig)}" == a4["compact_serialization"]
    a5 = file["rfc8037_A5_verification"]
    assert a5["expect"] == "valid"
    a5_vk = mi.VerifyingKey.from_jwk(a5["public_jwk"])
    inp, sig_b64 = a5["compact_serialization"].rsplit(".", 1)
    a5_vk.verify(inp.encode(), mi.base64url_decode(sig_b64))
    tampered = inp.replace("RXhh", "RXhi", 1)
    assert tampered != inp
    with pytest.raises(mi.InvalidSignatureError):
        a5_vk.verify(tampered.encode(), mi.base64url_decode(sig_b64))
    # Skipped on purpose, as in Rust: the RFC 7638 §3.1 RSA example (Ed25519 only here).
    assert "rfc7638_3_1_rsa_example" in file


# --- did:key ------------------------------------------------------------------------------


def test_did_key_positive() -> None:
    ran = with_seed = 0
    for case in shared_json("did-key/did-key.json")["positive"]:
        did = case["did"]
        vk = mi.VerifyingKey.from_did_key(did)
        assert vk.to_bytes().hex() == case["public_key_hex"]
        assert mi.base58_encode(vk.to_bytes()) == case["public_key_base58"]
        assert vk.to_did_key() == did
        mb = did.removeprefix("did:key:")
        assert vk.to_multibase() == mb
        assert mi.VerifyingKey.from_multibase(mb) == vk
        decoded = mi.multibase_decode(mb)
        prefix = bytes.fromhex(case["multicodec_prefix_hex"])
        assert decoded[: len(prefix)] == prefix and decoded[len(prefix) :] == vk.to_bytes()
        assert mi.canonicalize(vk.to_jwk()) == mi.canonicalize(case["public_key_jwk"])
        assert mi.VerifyingKey.from_jwk(case["public_key_jwk"]) == vk
        vm = case["verification_method_id"]
        assert vk.to_did_key_url() == vm
        u = mi.parse_did_url(vm)
        assert (u.key, u.fragment) == (vk, "verification_method")
        u = mi.parse_did_url(did)
        assert (u.key, u.fragment) == (vk, "none")
        x_mb = case["x25519_key_agreement_multibase"]
        assert vk.x25519_multibase() == x_mb
        for also in ("x25519_expected_in_spec", "x25519_expected_in_source"):
            if also in case:
                assert case[also] == x_mb
        xb = mi.multibase_decode(x_mb)
        assert xb[:2].hex() == "ec01" and xb[2:] == vk.to_x25519()
        u = mi.parse_did_url(f"{did}#{x_mb}")
        assert (u.key, u.fragment) == (vk, "key_agreement")
        if "seed_hex" in case:
            assert mi.SigningKey.from_bytes(bytes.fromhex(case["seed_hex"])).to_did_key() == did
            with_seed += 1
        ran += 1
    assert (ran, with_seed) == (9, 6)


def test_did_key_document_variants() -> None:
    variants = shared_json("did-key/did-key.json")["document_variants"]
    vk = mi.VerifyingKey.from_did_key(variants["did"])
    ran = []
    for label, given in variants["documents"].items():
        if label.startswith("Multikey") or label.startswith("Ed25519VerificationKey2020"):
            fmt = "multikey" if label.startswith("Multikey") else "ed25519_verification_key_2020"
            assert mi.canonicalize(mi.did_document(vk, format=fmt)) == mi.canonicalize(given), label  # type: ignore[arg-type]
            ran.append(fmt)
        elif label.startswith("JsonWebKey2020"):
            ours = json.loads(mi.did_document(vk, format="json_web_key"))
            our_vm = ours["verificationMethod"][0]
            assert len(given["verificationMethod"]) == 1
            given_vm = given["verificationMethod"][0]
            assert ours["id"] == given["id"]
            for member in ("id", "controller"):
                assert our_vm[member] == given_vm[member]
            assert mi.canonicalize(our_vm["publicKeyJwk"]) == mi.canonicalize(given_vm["publicKeyJwk"])
            assert our_vm["type"] == "JsonWebKey"
            ran.append("json_web_key")
        else:
            raise AssertionError(f"unexpected document variant {label}")
    assert sorted(ran) == ["ed25519_verification_key_2020", "json_web_key", "multikey"]


DID_KIND_CODES = {
    "invalidDid": {"malformed_did"},
    "methodNotSupported": {"unsupported_did_method"},
    "invalidPublicKeyLength": {"invalid_key_length"},
    "invalidPublicKey": {"invalid_key", "weak_key"},
    "unsupportedPublicKeyType": {"unsupported_key_type"},
    "invalidDidUrl": {"invalid_did_url"},
}


def test_did_key_negative() -> None:
    ran_did = ran_url = 0
    for case in shared_json("did-key/did-key.json")["negative"]:
        allowed = DID_KIND_CODES[case["error_kind"]]
        with pytest.raises(mi.McpAttestError) as info:
            if "did" in case:
                assert "did_url" not in case
                ran_did += 1
                mi.VerifyingKey.from_did_key(case["did"])
            else:
                ran_url += 1
                mi.parse_did_url(case["did_url"])
        assert info.value.code in allowed, case["name"]
    assert (ran_did, ran_url) == (26, 1)


def test_w3c_ccg_ed25519_x25519() -> None:
    ran_2018 = ran_jwk = 0
    for did, entry in shared_json("did-key/w3c-ccg-ed25519-x25519.json").items():
        assert did.startswith("did:key:z6Mk")
        vk = mi.VerifyingKey.from_did_key(did)
        assert vk.to_did_key() == did
        seed = bytes.fromhex(entry["seed"])
        assert mi.SigningKey.from_bytes(seed).to_did_key() == did
        vkp, kap = entry["verificationKeyPair"], entry["keyAgreementKeyPair"]
        x_mb = vk.x25519_multibase()
        assert vkp["controller"] == did and kap["controller"] == did
        assert vkp["id"].endswith("#" + vk.to_multibase())
        assert kap["id"].endswith("#" + x_mb)
        types = (vkp["type"], kap["type"])
        if types == ("Ed25519VerificationKey2018", "X25519KeyAgreementKey2019"):
            assert vkp["publicKeyBase58"] == mi.base58_encode(vk.to_bytes())
            assert mi.base58_decode(kap["publicKeyBase58"]) == vk.to_x25519()
            ran_2018 += 1
        elif types == ("JsonWebKey2020", "JsonWebKey2020"):
            assert mi.canonicalize(vk.to_jwk()) == mi.canonicalize(vkp["publicKeyJwk"])
            assert mi.SigningKey.from_jwk(vkp["privateKeyJwk"]).to_bytes() == seed
            ka = kap["publicKeyJwk"]
            assert (ka["kty"], ka["crv"]) == ("OKP", "X25519")
            assert mi.base64url_decode(ka["x"]) == vk.to_x25519()
            assert mi.base64url_encode(vk.to_x25519()) == ka["x"]
            ran_jwk += 1
        else:
            raise AssertionError(f"{did}: unexpected types {types}")
        doc = entry["didDocument"]
        assert doc["id"] == did
        assert doc["keyAgreement"][0] == f"{did}#{x_mb}"
    assert (ran_2018, ran_jwk) == (4, 1)


# --- multibase ----------------------------------------------------------------------------


def test_base58btc_json() -> None:
    file = shared_json("multibase/base58btc.json")
    ran = failed = 0
    for v in file["vectors"]:
        data = bytes.fromhex(v["bytes_hex"])
        assert mi.base58_encode(data) == v["base58btc"]
        assert mi.multibase_encode(data) == v["multibase"]
        assert mi.base58_decode(v["base58btc"]) == data
        assert mi.multibase_decode(v["multibase"]) == data
        ran += 1
    for v in file["decode_must_fail"]:
        with pytest.raises(mi.EncodingError) as info:
            mi.multibase_decode(v["input"])
        assert info.value.code == "invalid_base58", v["name"]
        failed += 1
    assert (ran, failed) == (12, 12)


def _unescape(text: str) -> bytes:
    out, i = bytearray(), 0
    raw = text.encode()
    while i < len(raw):
        if raw[i : i + 1] == b"\\":
            assert raw[i + 1 : i + 2] == b"x"
            out += bytes.fromhex(raw[i + 2 : i + 4].decode())
            i += 4
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def _csv_row(line: str) -> tuple[str, str]:
    name, value = line.split(", ", 1)
    assert value.startswith('"') and value.endswith('"'), line
    return name.strip(), value[1:-1]


def test_multibase_csv() -> None:
    base58_rows = other_rows = 0
    for path, expected in [
        ("multibase/basic.csv", 1),
        ("multibase/leading_zero.csv", 1),
        ("multibase/two_leading_zeros.csv", 1),
        ("multibase/case_insensitivity.csv", 0),
    ]:
        lines = [ln for ln in shared_text(path).splitlines() if ln.strip()]
        header, inp = _csv_row(lines[0])
        assert header in ("encoding", "non-canonical encoding")
        data = _unescape(inp)
        here = 0
        for line in lines[1:]:
            enc, value = _csv_row(line)
            if enc == "base58btc":
                assert mi.multibase_encode(data) == value
                assert mi.multibase_decode(value) == data
                here += 1
            else:
                assert not value.startswith("z")
                with pytest.raises(mi.McpAttestError) as info:
                    mi.multibase_decode(value)
                assert info.value.code == "invalid_base58", (path, enc)
                other_rows += 1
        assert here == expected, path
        base58_rows += here
    assert base58_rows == 3
    assert other_rows == 22 * 3 + 12


# --- JCS ----------------------------------------------------------------------------------


def test_jcs_reference_files() -> None:
    names = sorted(p.name for p in (SHARED_VECTORS / "jcs/input").glob("*.json"))
    ran = 0
    for name in names:
        stem = name.removesuffix(".json")
        inp = shared_text(f"jcs/input/{name}")
        expected = shared_bytes(f"jcs/output/{name}")
        outhex = bytes(int(t, 16) for t in shared_text(f"jcs/outhex/{stem}.txt").split())
        assert expected == outhex, name
        canonical = mi.canonicalize(inp)
        assert canonical.encode() == expected, name
        assert mi.canonicalize(canonical) == canonical
        ran += 1
    assert ran >= 6, names


def test_es6_number_serialisation() -> None:
    text = shared_text("jcs/es6testfile-first10000.txt")
    ran = 0
    for number, line in enumerate(text.splitlines(), 1):
        hexbits, expected = line.split(",", 1)
        (f,) = struct.unpack(">d", bytes.fromhex(hexbits.rjust(16, "0")))
        if f == f and f not in (float("inf"), float("-inf")):
            assert mi.canonicalize(f) == expected, f"line {number}: {hexbits}"
        else:
            with pytest.raises(mi.McpAttestError) as info:
                mi.canonicalize(f)
            assert info.value.code == "number_out_of_range"
        ran += 1
    assert ran == 10_000


TAMPER_CODES = {"duplicate_key", "number_out_of_range", "invalid_json", "invalid_unicode"}


def test_tool_tamper_canonical_bytes() -> None:
    file = shared_json("tool-tamper.json")
    fmt = file["format"]
    for field in ("original_json", "presented_json", "_canonical_hex", "expect_same_canonical_bytes"):
        assert field in fmt
    cases = file["cases"]
    assert len(cases) == file["count"]
    rejected = 0
    for case in cases:
        name = case["name"]
        original = mi.canonicalize(case["original_json"])
        assert original.encode().hex() == case["original_canonical_hex"].lower(), name
        assert original == case["original_canonical"], name
        kind = case["expect_presented_error"]
        if kind is None:
            presented = mi.canonicalize(case["presented_json"])
            assert presented.encode().hex() == case["presented_canonical_hex"].lower(), name
            assert presented == case["presented_canonical"], name
            assert (presented == original) == case["expect_same_canonical_bytes"], name
        else:
            assert kind in TAMPER_CODES
            with pytest.raises(mi.InvalidJsonError) as info:
                mi.canonicalize(case["presented_json"])
            assert info.value.code == kind, name
            assert case["presented_canonical_hex"] is None
            assert case["expect_same_canonical_bytes"] is None
            rejected += 1
    assert rejected > 0


def test_tool_tamper_signatures_match_expectations() -> None:
    file = shared_json("tool-tamper.json")
    signer = file["signer"]
    vk = mi.VerifyingKey.from_bytes(bytes.fromhex(signer["public_key_hex"]))
    assert vk.to_did_key() == signer["did"]
    ran = 0
    batch_items = []
    expected = []
    for case in file["cases"]:
        sig = bytes.fromhex(case["presented_signature_hex"])
        try:
            canonical = mi.canonicalize(case["presented_json"])
        except mi.McpAttestError:
            ok = False  # a presented tool we refuse to parse is never accepted
        else:
            try:
                vk.verify(canonical.encode(), sig)
                ok = True
            except mi.InvalidSignatureError:
                ok = False
            batch_items.append((canonical.encode(), sig))
            expected.append(ok)
        assert ok == case["expect_signature_valid"], case["name"]
        ran += 1
    assert vk.verify_batch(batch_items) == expected
    assert ran == 42


# --- jws-attacks --------------------------------------------------------------------------

KIND_MAP: dict[str, tuple[str, set[str]]] = {
    "malformed": (
        "parse",
        {"malformed_token", "invalid_base64", "invalid_json", "duplicate_key", "invalid_unicode", "json_too_deep"},
    ),
    "too_large": ("parse", {"input_too_large"}),
    "unsupported_alg": ("parse", {"unsupported_algorithm"}),
    "crit_unsupported": ("parse", {"unsupported_critical"}),
    "invalid_key": ("key", {"invalid_key", "weak_key", "invalid_key_length", "unsupported_key_type", "malformed_jwk"}),
    "signature": ("signature", {"invalid_signature"}),
    "expired": ("claims", {"token_expired"}),
    "not_yet_valid": ("claims", {"token_not_yet_valid"}),
    "iat_in_future": ("claims", {"token_issued_in_future"}),
    "audience": ("claims", {"audience_mismatch"}),
    "missing_claim": ("claims", {"missing_claim"}),
    "invalid_claim": ("claims", {"invalid_claim"}),
}


def _jws_load() -> dict[str, Any]:
    file = shared_json("jws-attacks.json")
    assert len(file["cases"]) == file["count"] == 95
    return file  # type: ignore[no-any-return]


def _jws_run(case: dict[str, Any]) -> tuple[str, Any]:
    """The four steps in the policy's order; returns ('ok', verified) or (step, error)."""
    try:
        unverified = mi.parse_jws(case["token"])
    except mi.McpAttestError as e:
        return "parse", e
    try:
        key = mi.VerifyingKey.from_jwk(json.dumps(case["public_jwk"]))
    except mi.McpAttestError as e:
        return "key", e
    try:
        verified = unverified.verify(key)
    except mi.McpAttestError as e:
        return "signature", e
    try:
        verified.check_claims(now=case["now"], leeway=60, audience=case["expected_audience"])
    except mi.McpAttestError as e:
        return "claims", e
    return "ok", verified


def test_jws_policy_header_matches_the_library() -> None:
    file = _jws_load()
    policy = file["policy"]
    assert policy["accepted_algs"] == ["EdDSA", "Ed25519"]
    assert policy["max_token_bytes"] == 8192
    assert policy["max_json_depth"] == 64
    assert policy["clock_skew_seconds"] == 60
    assert set(file["error_kinds"]) == set(KIND_MAP)
    vk = mi.VerifyingKey.from_jwk(file["issuer"]["public_jwk"])
    assert vk.to_did_key() == file["issuer"]["did"]
    assert vk.to_did_key_url() == file["issuer"]["kid"]


def test_jws_attack_cases_match_expectations() -> None:
    file = _jws_load()
    mismatches = []
    produced: dict[str, set[str]] = {}
    valid = ran = 0
    for case in file["cases"]:
        step, got = _jws_run(case)
        ran += 1
        if case["expect"] == "valid":
            assert case["error_kind"] is None
            if step == "ok":
                valid += 1
                # The one-call path agrees.
                mi.verify_jws(
                    case["token"],
                    mi.VerifyingKey.from_jwk(case["public_jwk"]),
                    now=case["now"],
                    audience=case["expected_audience"],
                )
            else:
                mismatches.append(f"{case['name']}: expected valid, got {step} {got!r}")
            continue
        kind = case["error_kind"]
        want_step, codes = KIND_MAP[kind]
        if step == "ok":
            mismatches.append(f"{case['name']}: expected {kind}, every step succeeded")
            continue
        produced.setdefault(kind, set()).add(got.code)
        if step != want_step or got.code not in codes:
            mismatches.append(f"{case['name']}: expected {kind} ({want_step}), got {step} {got.code}")
    assert not mismatches, "\n".join(mismatches)
    assert ran == 95 and valid == 12
    for kind, (_, codes) in KIND_MAP.items():
        assert codes <= produced.get(kind, set()), f"{kind}: {codes - produced.get(kind, set())} never produced"


def test_jws_valid_cases_verify_with_the_key_as_did_key() -> None:
    ran = 0
    for case in _jws_load()["cases"]:
        if case["expect"] != "valid":
            continue
        key = mi.VerifyingKey.from_jwk(case["public_jwk"])
        did = key.to_did_key()
        assert did.startswith("did:key:z6Mk")
        assert mi.VerifyingKey.from_did_key(did) == key
        mi.parse_jws(case["token"]).verify(mi.VerifyingKey.from_did_key(did)).check_claims(
            now=case["now"], leeway=60, audience=case["expected_audience"]
        )
        ran += 1
    assert ran == 12


def test_jws_check_claims_never_crashes_on_unverified_claims() -> None:
    checked = 0
    cases = _jws_load()["cases"]
    for case in cases:
        if case["error_kind"] is None:
            continue
        try:
            unverified = mi.parse_jws(case["token"])
        except mi.McpAttestError:
            continue
        for kwargs in (
            {"now": case["now"], "audience": case["expected_audience"]},
            {"now": case["now"]},
            {"now": 0, "leeway": 0, "audience": case["expected_audience"]},
            {"now": 2**64 - 1, "leeway": 2**64 - 1, "max_lifetime": 0},
        ):
            try:
                unverified.check_claims(**kwargs)
            except mi.McpAttestError:
                pass
        checked += 1
    expected = sum(
        1
        for c in cases
        if c.get("error_kind") not in (None, "malformed", "too_large", "unsupported_alg", "crit_unsupported")
    )
    assert checked == expected


def test_every_shared_vector_file_is_present() -> None:
    for rel in [
        "rfc8032-ed25519.json",
        "wycheproof/ed25519_test.json",
        "ed25519-speccheck/cases.json",
        "ed25519-speccheck/expectations.json",
        "cctv/ed25519vectors.json",
        "cctv/dalek-expectations.json",
        "ed25519-keypair-import.json",
        "rfc8037-jose-ed25519.json",
        "did-key/did-key.json",
        "did-key/w3c-ccg-ed25519-x25519.json",
        "multibase/base58btc.json",
        "multibase/basic.csv",
        "multibase/leading_zero.csv",
        "multibase/two_leading_zeros.csv",
        "multibase/case_insensitivity.csv",
        "jcs/es6testfile-first10000.txt",
        "tool-tamper.json",
        "jws-attacks.json",
    ]:
        shared_path(rel)
