"""Error parity with tests/vectors/error_codes.json, class behaviour, pickling."""

from __future__ import annotations

import pickle

import mcp_attest as mi
import pytest
from conftest import project_json
from mcp_attest import errors


def test_codes_equal_error_codes_json() -> None:
    listed = {c["code"] for c in project_json("error_codes.json")["codes"]}
    assert set(errors.ErrorCode.__args__) == set(errors._CLASS_BY_CODE) == listed  # type: ignore[attr-defined]
    # And the core's own list, from the native module.
    assert {code for code, _ in mi.error_codes()} == listed
    descriptions = {c["code"]: c["description"] for c in project_json("error_codes.json")["codes"]}
    assert dict(mi.error_codes()) == descriptions


@pytest.mark.parametrize("code", list(errors._CLASS_BY_CODE))
def test_every_class_is_catchable_and_pickles(code: errors.ErrorCode) -> None:
    e = errors._from_code(code, f"message for {code}")
    assert type(e) is errors._CLASS_BY_CODE[code]
    assert isinstance(e, mi.McpAttestError) and isinstance(e, Exception)
    assert not isinstance(e, (KeyboardInterrupt, SystemExit))
    assert e.code == code and str(e) == f"message for {code}" and e.message == str(e)
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is type(e) and again.code == code and str(again) == str(e)
    with pytest.raises(mi.McpAttestError):
        raise e
    assert code in repr(e)


def test_builtin_bases_where_natural() -> None:
    for code in (
        "invalid_json",
        "duplicate_key",
        "malformed_did",
        "invalid_key",
        "weak_key",
        "malformed_token",
        "invalid_base64",
        "input_too_large",
        "invalid_challenge",
    ):
        assert isinstance(errors._from_code(code, "x"), ValueError), code
    for code in ("invalid_signature", "token_expired", "revoked", "pinned_key_changed"):
        assert not isinstance(errors._from_code(code, "x"), ValueError), code


def test_unknown_code_is_still_an_mcp_attest_error() -> None:
    e = errors._from_code("a_future_code", "m")
    assert type(e) is mi.McpAttestError and str(e.code) == "a_future_code"


def test_native_errors_are_the_python_classes() -> None:
    with pytest.raises(mi.InvalidKeyError) as info:
        mi.VerifyingKey.from_bytes(b"\x00" * 31)
    assert info.value.code == "invalid_key_length"
    with pytest.raises(ValueError):
        mi.canonicalize('{"a":1,"a":2}')
    with pytest.raises(mi.WeakKeyError):
        mi.VerifyingKey.from_bytes(b"\x01" + b"\x00" * 31)
    sk = mi.SigningKey.from_bytes(b"\x07" * 32)
    with pytest.raises(mi.InvalidSignatureError) as sig_info:
        sk.verifying_key().verify(b"a", sk.sign(b"b"))
    assert pickle.loads(pickle.dumps(sig_info.value)).code == "invalid_signature"
