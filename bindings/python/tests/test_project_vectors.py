"""The project's own cross-language vectors (tests/vectors/*.json), with the verdicts the
Rust runner (crates/mcp-attest/tests/project_vectors.rs) requires."""

from __future__ import annotations

import json
from typing import Any

import mcp_attest as mi
import pytest
from conftest import project_json
from mcp_attest import errors


def expected_error(case: dict[str, Any]) -> str | None:
    e = case["expect"]
    if "ok" in e:
        return None
    code = e["error"]
    assert code in errors._CLASS_BY_CODE, f"unknown code {code}"
    return str(code)


def outcome(case: dict[str, Any], fn: Any) -> Any:
    """Runs fn(); returns its value when the case expects ok, checks the code otherwise."""
    want = expected_error(case)
    try:
        got = fn()
    except mi.McpAttestError as e:
        assert want is not None, f"{case['id']}: expected ok, got {e!r}"
        assert e.code == want, f"{case['id']}: {e!r}"
        assert isinstance(e, errors._CLASS_BY_CODE[e.code])
        return None
    assert want is None, f"{case['id']}: expected {want}, got ok"
    return got


def test_error_codes_file_lists_exactly_our_codes() -> None:
    listed = [c["code"] for c in project_json("error_codes.json")["codes"]]
    assert [c for c, _ in mi.error_codes()] == listed
    assert list(errors.ErrorCode.__args__) == listed  # type: ignore[attr-defined]
    assert list(errors._CLASS_BY_CODE) == listed


def test_keys() -> None:
    file = project_json("keys.json")
    positive = file["positive"]
    assert len(positive) == 4
    for case in positive:
        ok = case["expect"]["ok"]
        sk = mi.SigningKey.from_bytes(bytes.fromhex(case["seed_hex"]))
        vk = sk.verifying_key()
        assert vk.to_bytes().hex() == ok["public_key_hex"]
        assert sk.to_keypair_bytes().hex() == ok["keypair_hex"]
        assert vk.to_multibase() == ok["multibase"]
        assert vk.to_did_key() == ok["did"] == sk.to_did_key()
        assert vk.to_did_key_url() == ok["did_url"]
        assert vk.x25519_multibase() == ok["x25519_multibase"]
        assert vk.to_jwk() == ok["jwk_public"]
        assert sk.to_jwk() == ok["jwk_private"]
        assert vk.jwk_thumbprint() == ok["jwk_thumbprint"]
        assert vk.kid() == ok["kid"]
        assert vk.fingerprint() == ok["fingerprint"]
        assert sk.to_pkcs8_pem() == ok["pkcs8_v1_pem"]
        assert sk.to_pkcs8_pem(v2=True) == ok["pkcs8_v2_pem"]
        assert vk.to_spki_pem() == ok["spki_pem"]
        assert sk.sign(b"").hex() == ok["signature_over_empty_hex"]
        assert sk.sign(b"abc").hex() == ok["signature_over_abc_hex"]
        for imported in [
            mi.VerifyingKey.from_did_key(ok["did"]),
            mi.VerifyingKey.from_multibase(ok["multibase"]),
            mi.VerifyingKey.from_jwk(ok["jwk_public"]),
            mi.VerifyingKey.from_jwk(json.loads(ok["jwk_public"])),
            mi.VerifyingKey.from_spki_pem(ok["spki_pem"]),
            mi.SigningKey.from_jwk(ok["jwk_private"]).verifying_key(),
            mi.SigningKey.from_pkcs8_pem(ok["pkcs8_v1_pem"]).verifying_key(),
            mi.SigningKey.from_pkcs8_pem(ok["pkcs8_v2_pem"]).verifying_key(),
            mi.SigningKey.from_bytes(bytes.fromhex(ok["keypair_hex"])).verifying_key(),
        ]:
            assert imported == vk
    imports = file["imports"]
    assert len(imports) >= 10
    for case in imports:
        inp = case["input"]
        kind = case["input_kind"]
        fns = {
            "secret_hex": lambda: mi.SigningKey.from_bytes(bytes.fromhex(inp)).verifying_key(),
            "public_hex": lambda: mi.VerifyingKey.from_bytes(bytes.fromhex(inp)),
            "jwk_public": lambda: mi.VerifyingKey.from_jwk(inp),
            "pkcs8_pem": lambda: mi.SigningKey.from_pkcs8_pem(inp).verifying_key(),
            "spki_pem": lambda: mi.VerifyingKey.from_spki_pem(inp),
        }
        vk = outcome(case, fns[kind])
        if vk is not None:
            assert vk.to_bytes().hex() == case["expect"]["ok"]["public_key_hex"]


def test_did_key_documents_urls_and_refusals() -> None:
    file = project_json("did_key.json")
    vk = mi.VerifyingKey.from_did_key(file["did"])
    for name in ["multikey", "ed25519_verification_key_2020", "json_web_key"]:
        want = mi.canonicalize(file["documents"][name])
        assert mi.did_document(vk, format=name) == want, name  # type: ignore[arg-type]
    for case in file["did_urls"]:
        url = mi.parse_did_url(case["input"])
        assert (url.key, url.fragment) == (vk, case["expect"]["ok"]["fragment"]), case["id"]
    negative = file["negative"]
    assert len(negative) >= 7
    for case in negative:
        if case["input_kind"] == "did":
            outcome(case, lambda: mi.VerifyingKey.from_did_key(case["input"]))
        else:
            outcome(case, lambda: mi.parse_did_url(case["input"]))


def test_records() -> None:
    file = project_json("records.json")
    vk = mi.VerifyingKey.from_bytes(bytes.fromhex(file["public_key_hex"]))
    assert mi.dns_record(vk) == file["dns_record"]
    assert mi.registry_record(vk) == file["registry_record"]
    assert mi.dns_record_name("example.com") == file["dns_name_for_example_com"]
    for case in file["dns"]:
        outcome(case, lambda: mi.DnsRecord.parse(case["input"]).verify(vk))
    for case in file["registry"]:
        outcome(case, lambda: mi.RegistryRecord.parse(case["input"]).verify(vk))


def test_jcs() -> None:
    cases = project_json("jcs.json")["cases"]
    assert len(cases) >= 15
    for case in cases:
        out = outcome(case, lambda: mi.canonicalize(case["input"]))
        if out is not None:
            ok = case["expect"]["ok"]
            assert out == ok["canonical"]
            assert out.encode().hex() == ok["canonical_hex"]
            # The same text as UTF-8 bytes gives the same canonical form.
            assert mi.canonicalize(case["input"].encode()) == out


def test_jcs_number_literals() -> None:
    """Adversarial literals: refused with the code, or read as the stated double, which
    must be the value Python's own float() reads from the literal."""
    numbers = project_json("jcs.json")["numbers"]
    assert len(numbers) >= 20
    for case in numbers:
        if "literal" in case:
            lit = case["literal"]
        else:
            b = case["build"]
            lit = b["prefix"] + b["repeat"] * b["count"] + b["suffix"]
            assert len(lit) == case["length"]
        out = outcome(case, lambda: mi.canonicalize(lit))
        if out is not None:
            assert out == case["expect"]["ok"]["canonical"], case["id"]
            assert float(lit) == float(out), f"{case['id']}: float() reads another value"


def _check_list(case: dict[str, Any], vk: mi.VerifyingKey, field: str, policy: str) -> None:
    ident = f"{case['id']} ({field})"
    expect = case[field]
    try:
        report = mi.verify_tools_list(
            case["result"],
            vk,
            now=case["now"],
            audience=case.get("audience"),
            require_manifest=case["require_manifest"],
            tool_signatures=policy,  # type: ignore[arg-type]
        )
    except mi.McpAttestError as e:
        assert expect.get("error") == e.code, f"{ident}: {e!r}"
        return
    assert "error" not in expect, f"{ident}: expected {expect['error']}, got a report"
    ok = expect["ok"]
    assert report.verified == ok["verified"], ident
    if report.manifest_status == "invalid":
        manifest: Any = {"invalid": report.manifest_error_code}
    else:
        manifest = report.manifest_status
    assert manifest == ok["manifest"], ident
    assert report.verified_names() == ok["verified_names"], ident
    assert len(report.tools) == len(ok["tools"]), ident
    for t, w in zip(report.tools, ok["tools"]):
        assert t.name == w["name"], ident
        assert t.status == w["status"], f"{ident}: {t.name}"
        assert t.error_code == w["error"], f"{ident}: {t.name}"
        if t.error_code is not None:
            assert isinstance(t.error, mi.McpAttestError) and t.error.code == t.error_code
    # The report's JSON agrees with the objects.
    as_json = json.loads(report.to_json())
    assert as_json["verified"] == report.verified


def test_tools() -> None:
    file = project_json("tools.json")
    server = file["server"]
    vk = mi.VerifyingKey.from_did_key(server["did"])
    assert vk.kid() == server["kid"]
    for case in file["per_tool"]:
        ok = case["expect"]["ok"]
        tool = case["tool"]
        signing_input = mi.ext_auth_signing_input(tool)
        assert signing_input == ok["signing_input"]
        vk.verify(signing_input.encode(), bytes.fromhex(ok["signature_hex"]))
        assert mi.content_hash(tool) == ok["content_hash"]
        assert mi.content_hash(json.loads(tool)) == ok["content_hash"]
        mi.verify_tool(ok["signed_tool"], vk)
        mi.verify_tool(json.loads(ok["signed_tool"]), vk)
    lists = file["lists"]
    assert len(lists) >= 20
    for case in lists:
        _check_list(case, vk, "expect", "if_no_manifest")
        _check_list(case, vk, "expect_all_tool_signatures", "always")
    # A revoked server key: tools-list verification consults the lists it is given.
    rs = file["revoked_server"]
    issuers = _trusted_registry(project_json("passports.json"))
    revoked = mi.RevocationList.verify(rs["revocation_list"], issuers, now=rs["now"])
    report = mi.verify_tools_list(rs["result"], vk, now=rs["now"], audience=rs["audience"], revocations=[revoked])
    ok = rs["expect"]["ok"]
    assert report.verified == ok["verified"]
    assert {"invalid": report.manifest_error_code} == ok["manifest"]
    assert [t.status for t in report.tools] == ok["statuses"]
    assert report.verified_names() == []


def _trusted_registry(file: dict[str, Any]) -> list[mi.TrustedIssuer]:
    return [mi.TrustedIssuer.from_jwks(i["id"], i["jwks"]) for i in file["trusted_issuers"]]


def test_passports_and_revocation_lists() -> None:
    file = project_json("passports.json")
    issuers = _trusted_registry(file)
    token = file["revocation_list"]
    for case in file["revocation_list_checks"]:
        trusted = issuers if case["trusted"] else []
        now = case.get("now")
        lst = outcome(
            case,
            lambda: mi.RevocationList.verify(token, trusted, now=now, check_time=now is not None),
        )
        if lst is not None:
            assert len(lst.entries) == case["expect"]["ok"]["entries"] == len(lst)
    lists = [mi.RevocationList.verify(token, issuers, check_time=False)]
    cases = file["cases"]
    assert len(cases) >= 20
    for case in cases:
        subject = case.get("expected_subject")
        p = outcome(
            case,
            lambda: mi.verify_passport(
                case["token"],
                now=case["now"],
                audience=case.get("audience"),
                issuers=[]
                if case.get("no_trusted_issuers")
                else [
                    mi.TrustedIssuer(issuers[0].id, mi.VerifyingKey.from_did_key(case["decoy_issuer_first"])),
                    *issuers,
                ]
                if case.get("decoy_issuer_first")
                else issuers,
                allow_self_issued=case.get("allow_self_issued"),  # absent or None: the default
                max_age=case.get("max_age"),
                revocations=lists if case.get("use_revocations") else [],
                subject=mi.VerifyingKey.from_did_key(subject) if subject else None,
            ),
        )
        if p is not None:
            ok = case["expect"]["ok"]
            assert p.issuer == ok["issuer"]
            assert p.subject == ok["subject"]
            assert p.self_issued == ok["self_issued"]
            assert p.expires_at == ok["expires_at"]
            assert p.jti == ok.get("jti")
            assert (p.mcp.name if p.mcp else None) == ok.get("mcp_name")


def test_identity_documents() -> None:
    file = project_json("identity.json")
    trusted = [mi.VerifyingKey.from_did_key(d) for d in file["trusted_publishers"]]
    for case in file["cases"]:
        prev = case.get("previous_key_did")
        v = outcome(
            case,
            lambda: mi.verify_identity_document(
                case["document"],
                now=case["now"],
                trusted_publishers=trusted,
                require_trusted_publisher=case["require_trusted_publisher"],
                previous_key=mi.VerifyingKey.from_did_key(prev) if prev else None,
            ),
        )
        if v is not None:
            ok = case["expect"]["ok"]
            assert v.key.to_did_key() == ok["did"]
            assert v.kid == ok["kid"]
            pubs = [{"name": p.name, "trusted": p.trusted, "bound": p.bound} for p in v.publishers]
            assert pubs == ok["publishers"]
            rots = [
                {"revoked_kid": r.revoked_kid, "replacement_kid": r.replacement_kid, "verified": r.verified}
                for r in v.rotations
            ]
            assert rots == ok["rotations"]


def test_trust_store_ops_and_persistence() -> None:
    file = project_json("trust_store.json")
    passports = project_json("passports.json")
    store = mi.TrustStore()
    for i in _trusted_registry(passports):
        store.add_issuer(i)
    assert store.add_revocation_list(passports["revocation_list"], now=file["ops"][0]["now"])
    for case in file["ops"]:
        key = mi.VerifyingKey.from_did_key(case["did"])
        try:
            if case["op"] == "check_pin":
                got: Any = store.check_pin(case["server"], key, now=case["now"])
            elif case["op"] == "check_revoked":
                store.check_revoked(key)
                got = {}
            else:
                raise AssertionError(f"unknown op {case['op']}")
        except mi.McpAttestError as e:
            assert case["expect"].get("error") == e.code, case
            continue
        assert "ok" in case["expect"], case
        assert got == case["expect"]["ok"], case
    assert store.to_json() == file["saved"]
    assert mi.TrustStore.from_json(file["saved"]) == store
    for case in file["loads"]:
        outcome(case, lambda: mi.TrustStore.from_json(case["input"]))


def test_challenges() -> None:
    file = project_json("challenge.json")
    vk = mi.VerifyingKey.from_did_key(file["server_did"])
    req = mi.ChallengeRequest(bytes.fromhex(file["random_hex"]), now=file["signed_at"])
    assert req.to_json() == file["request"]
    assert req.signing_input().hex() == file["signing_input_hex"]
    keys = project_json("keys.json")
    server = mi.SigningKey.from_bytes(bytes.fromhex(keys["positive"][0]["seed_hex"]))
    assert server.verifying_key() == vk
    shared = mi.ChallengeResponder(file["kid"], cache_capacity=16)
    for case in file["server"]:
        ident, params, now = case["id"], case["params"], case["now"]
        try:
            if ident == "challenge/replayed":
                resp = shared.respond(server, params, now=now)
            else:
                if ident == "challenge/ok":
                    shared.respond(server, params, now=now)
                resp = mi.ChallengeResponder(file["kid"], cache_capacity=16).respond(server, params, now=now)
        except mi.McpAttestError as e:
            want = case["expect"]
            assert want.get("error") == e.code, ident
            assert mi.jsonrpc_error(e) == (want["jsonrpc_code"], want["reason"]), ident
            err_obj = json.loads(mi.jsonrpc_error_json(e))
            assert err_obj["code"] == want["jsonrpc_code"]
            assert err_obj["data"]["reason"] == want["reason"]
            continue
        ok = case["expect"]["ok"]
        assert (resp.signature, resp.kid) == (ok["signature"], ok["kid"]), ident
        mi.verify_challenge_response(mi.ChallengeRequest.from_json(params), resp, vk)
    for case in file["client"]:
        resp = mi.ChallengeResponse.from_json(case["result"])
        outcome(case, lambda: mi.verify_challenge_response(req, resp, vk))
    # Per-client quotas: the steps in order against one responder, each with its client key.
    limited = file["rate_limited"]
    quota = mi.ChallengeResponder(file["kid"], cache_capacity=limited["capacity"], client_quota=limited["client_quota"])
    assert quota.client_quota == limited["client_quota"]
    assert len(limited["steps"]) == 3
    for step in limited["steps"]:
        want = step["expect"]
        try:
            resp = quota.respond(server, step["params"], now=step["now"], client_key=step["client"])
        except mi.ChallengeError as e:
            assert want.get("error") == e.code, step
            assert mi.jsonrpc_error(e) == (want["jsonrpc_code"], want["reason"])
            continue
        assert resp.signature == want["ok"]["signature"], step
    # What an external replay store is given.
    admission = file["admission"]
    admitted = mi.ChallengeResponder(file["kid"], cache_capacity=16).admit(
        admission["params"], now=admission["now"], client_key=admission["client"]
    )
    assert (admitted.store_key, admitted.expires_at) == (admission["store_key"], admission["expires_at"])


@pytest.mark.parametrize(
    "name",
    [
        "caller.json",
        "challenge.json",
        "did_key.json",
        "error_codes.json",
        "evidence.json",
        "identity.json",
        "interop.json",
        "jcs.json",
        "keys.json",
        "passports.json",
        "records.json",
        "sessions.json",
        "tools.json",
        "trust_store.json",
    ],
)
def test_every_project_vector_file_is_run(name: str) -> None:
    # The runners above read each of these; this guards against a file silently going away.
    assert project_json(name)


def test_sessions() -> None:
    """Every transcript replayed through a fresh ClientSession: the same requests, then the
    report and the trust store byte for byte (as in Rust, Node and Chromium)."""
    file = project_json("sessions.json")
    assert len(file["cases"]) >= 30
    for case in file["cases"]:
        store = None if case["store"] is None else mi.TrustStore.from_json(case["store"])
        s = mi._native.ClientSession(case["policy"], store, case["now"], bytes.fromhex(case["random_hex"]))
        for x in case["exchanges"]:
            req = s.next_request()
            assert req is not None, f"{case['id']}: the session stopped early"
            assert req == (x["method"], x["params"]), case["id"]
            if "result" in x:
                s.receive_result(x["result"])
            else:
                e = x["error"]
                s.receive_error(e["code"], e["message"], e["data"])
        assert s.next_request() is None, f"{case['id']}: the session asks for more"
        assert s.report() == case["expect"]["report"], case["id"]
        if store is not None:
            s.save_trust_store(store)
        assert (None if store is None else store.to_json()) == case["expect"]["store"], case["id"]
    for case in file["policies"]:
        outcome(
            case,
            lambda: mi._native.ClientSession(
                case["policy"], mi.TrustStore() if case["with_store"] else None, 0, bytes(64)
            ),
        )


def test_sessions_through_the_python_api() -> None:
    """The typed layer over the same transcripts: snake_case policy in, the same report out."""
    file = project_json("sessions.json")
    for case in file["cases"]:
        camel = json.loads(case["policy"])
        snake = {"".join("_" + c.lower() if c.isupper() else c for c in k): v for k, v in camel.items()}
        store = None if case["store"] is None else mi.TrustStore.from_json(case["store"])
        s = mi.ClientSession(snake, trust_store=store, now=case["now"], random=bytes.fromhex(case["random_hex"]))
        for x in case["exchanges"]:
            req = s.next_request()
            assert req is not None and req[0] == x["method"], case["id"]
            if "result" in x:
                s.receive_result(json.loads(x["result"]))
            else:
                e = x["error"]
                s.receive_error(e["code"], e["message"], None if e["data"] is None else json.loads(e["data"]))
        report = s.report
        assert report is not None and report.json == case["expect"]["report"], case["id"]
        s.save_trust_store()
        assert (None if store is None else store.to_json()) == case["expect"]["store"], case["id"]


def test_caller_identity() -> None:
    from mcp_attest import caller

    file = project_json("caller.json")
    client = mi.SigningKey.from_bytes(bytes.fromhex(file["client_seed_hex"]))
    assert client.verifying_key().to_did_key() == file["client_did"]
    for c in file["levels"]:
        got = caller.trust_level(key_proven=c["key_proven"], domain_proven=c["domain_proven"], vouched=c["vouched"])
        assert got == c["expect"], c["id"]
    for c in file["hashes"]:
        h = outcome(c, lambda c=c: caller.caller_request_hash(c["method"], c["params"]))
        if h is not None:
            assert h == c["expect"]["ok"], c["id"]
    a = file["attach"]
    sent = caller.attach_caller_proof(
        client,
        a["audience"],
        "tools/call",
        a["params"],
        passport=a["passport"],
        now=a["now"],
        nonce=bytes.fromhex(a["nonce_hex"]),
    )
    assert sent.params == json.loads(a["expect"]["ok"]["params"])
    assert sent.proof == a["expect"]["ok"]["proof"]
    assert len(file["cases"]) >= 15
    for c in file["cases"]:
        v = caller.CallerVerifier(
            file["server_did"], trust_store=mi.TrustStore.from_json(c["trust_store"]), capacity=100, client_quota=10
        )
        for st in c["steps"]:
            try:
                found = v.identify(st["method"], st["params"], header=st["header"], client=st["client"], now=st["now"])
            except mi.McpAttestError as e:
                assert {"error": e.code} == st["expect"], c["id"]
                continue
            seen = None if found is None else {"did": found.did, "issuer": found.issuer, "level": found.level}
            assert {"ok": seen} == st["expect"], c["id"]
    for r in file["refusals"]:
        err = errors._CLASS_BY_CODE[r["error"]](r["message"], r["error"])
        assert caller.caller_refusal(err, required=r["required"], level=r["level"]) == json.loads(r["expect"])

    # The client's local decision before sending.
    for c in file["prepare"]:
        try:
            params, proof = caller.prepare_call(
                json.loads(c["params"]),
                report=c["report"],
                key=client if c["key"] else None,
                passport=c["passport"],
                now=c["now"],
                nonce=bytes.fromhex(c["nonce_hex"]),
            )
        except mi.McpAttestError as e:
            assert {"error": e.code} == c["expect"], c["id"]
            continue
        if proof is None:
            assert c["expect"] == {"ok": None}, c["id"]
        else:
            assert (params, proof) == (json.loads(c["expect"]["ok"]["params"]), c["expect"]["ok"]["proof"]), c["id"]

    # The client's record of each call it made.
    for c in file["client_records"]:
        try:
            record = caller.client_call_evidence(c["report"], json.loads(c["params"]), **c["outcome"])
        except mi.McpAttestError as e:
            assert {"error": e.code} == c["expect"], c["id"]
            continue
        assert record == json.loads(c["expect"]["ok"]), c["id"]

    # The server's gate, step by step, with its evidence.
    from mcp_attest.evidence import EvidenceLog
    from mcp_attest.session import ServerPresentation

    g = file["gate"]
    server_key = mi.SigningKey.from_bytes(bytes.fromhex(file["server_seed_hex"]))
    pres = ServerPresentation(
        server_key, **{k: v for k, v in json.loads(g["options"]).items() if k != "toolTrustLevels"}
    )
    for name, level in json.loads(g["options"]).get("toolTrustLevels", {}).items():
        pres.set_tool_trust_level(name, level)
    pres.set_caller_trust(mi.TrustStore.from_json(g["trust_store"]))
    log = EvidenceLog(server_key, max_file_bytes=2**63)
    pres.sign_tools_list(json.loads(g["list"]), now=g["now"])
    ticket: dict[str, Any] | None = None
    for st in g["steps"]:
        if "admit" in st:
            a = st["admit"]
            adm = pres.admit_call(
                json.loads(a["params"]), client=a["client"], header=a["header"], log=log, now=st["now"]
            )
            if adm.run:
                ticket = adm.ticket
            assert _admission_shape(adm) == st["expect"], st["description"]
        elif "shared" in st:
            assert ticket is not None
            adm = pres.complete_admission(ticket, st["shared"]["inserted"], log=log, now=st["now"])
            assert _admission_shape(adm) == st["expect"], st["description"]
        else:
            assert ticket is not None
            c = st["complete"]
            writes = pres.complete_call(ticket, result=c["result"], error=c["error"], log=log, now=st["now"])
            assert [{"file": f, "line": ln} for f, ln in writes] == st["expect"], st["description"]


def _admission_shape(adm: Any) -> dict[str, Any]:
    """A CallAdmission as the vectors write it (the core's Admission JSON)."""
    c = adm.caller
    if adm.run:
        caller = None if c is None else {"did": c.did, "issuer": c.issuer, "level": c.level}
        return {"caller": caller, "run": True, "ticket": adm.ticket}
    return {"error": adm.error, "run": False, "writes": [{"file": f, "line": ln} for f, ln in adm.writes]}


def test_evidence_logs() -> None:
    from mcp_attest import evidence

    file = project_json("evidence.json")
    key = mi.SigningKey.from_bytes(bytes.fromhex(file["server_seed_hex"]))
    assert key.verifying_key().to_did_key() == file["server_did"]
    for c in file["hashes"]:
        assert evidence.evidence_hash(c["json"]) == c["hash"], c["id"]
    w = file["writer"]
    log = evidence.EvidenceLog(key, max_file_bytes=10**12)
    lines: list[str] = []
    for st in w["script"]:
        if "call" in st:
            lines.extend(line for _, line in log.append_call(st["call"], now=st["now"]))
        else:
            assert st["checkpoint"] == "periodic", st
            lines.append(log.checkpoint(now=st["now"])[1])
    assert lines == w["expect"]["ok"]
    fl = file["file_log"]
    assert fl["file_names"] == [
        evidence.evidence_file_name(fl["prefix"], 0),
        evidence.evidence_file_name(fl["prefix"], 12),
    ]
    assert evidence.evidence_file_index(fl["prefix"], fl["file_names"][1]) == 12
    flog = evidence.EvidenceLog(key, max_file_bytes=fl["max_file_bytes"])
    writes = [{"file": f, "line": line} for c in fl["calls"] for f, line in flog.append_call(c["call"], now=c["now"])]
    assert writes == fl["expect"]["ok"]
    bad = evidence.EvidenceLog(key)
    for c in file["bad_calls"]:
        outcome(c, lambda c=c: bad.append_call(c["call"], now=0))
    assert bad.next_seq == 0
    vk = key.verifying_key()
    for c in file["logs"]:
        r = evidence.verify_evidence_log(c["lines"], vk, anchors=c["anchors"])
        got = json.loads(r.json)
        for p in got["problems"]:
            del p["message"]
        assert got == c["expect"]["ok"], c["id"]
        assert r.valid == c["expect"]["ok"]["valid"]


def test_interop_tokens() -> None:
    from mcp_attest import interop

    file = project_json("interop.json")
    for c in file["ai_identity"]:
        p = outcome(
            c,
            lambda c=c: interop.verify_ai_identity_passport(
                c["token"], registry_id=file["registry_id"], jwks=file["registry_jwks"], now=file["now"]
            ),
        )
        if p is not None:
            assert p == c["expect"]["ok"], c["id"]
    for c in file["ai_identity_find"]:
        found = outcome(c, lambda c=c: interop.find_ai_identity_passport(c["initialize_result"]))
        if "ok" in c["expect"]:
            assert found == c["expect"]["ok"], c["id"]
    assert len(file["capiscio"]) >= 10
    for c in file["capiscio"]:
        store = mi.TrustStore.from_json(c["trust_store"])
        b = outcome(
            c,
            lambda c=c, store=store: interop.verify_capiscio_badge(
                c["token"], trust_store=store, audience=c["audience"], now=c["now"]
            ),
        )
        if b is not None:
            assert b == c["expect"]["ok"], c["id"]
