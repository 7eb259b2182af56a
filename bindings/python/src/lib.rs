//! PyO3 glue of the `mcp_attest` Python package: converts Python values to the core's
//! types and back, maps core errors to the Python exception classes of
//! `mcp_attest.errors`, and supplies the host services the core leaves to its caller
//! (the clock and the OS random number generator). Every decision is the core's.
//!
//! Build with maturin (`bindings/python/scripts/test.sh`); the module is
//! `mcp_attest._native`.

// PyO3's #[pymodule]/#[pyclass]/#[pymethods] macros expand to `unsafe` FFI code (house-style
// §9.2). This crate writes no `unsafe` block of its own.
#![allow(unsafe_code)]
// A std crate: the no_std-oriented lints of the workspace do not apply here.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

mod attest;
mod convert;
mod error;
mod keys;
mod keysource;
mod session;
mod tokens;
mod tools;
mod trust;

use pyo3::prelude::*;

/// The native module `mcp_attest._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<keys::SigningKey>()?;
    m.add_class::<keysource::KeyFile>()?;
    m.add_function(wrap_pyfunction!(keysource::key_plan, m)?)?;
    m.add_function(wrap_pyfunction!(keysource::check_key_directory, m)?)?;
    m.add(
        "PRIVATE_KEY_PEM_ENV",
        mcp_attest::keysource::PRIVATE_KEY_PEM_ENV,
    )?;
    m.add(
        "PRIVATE_KEY_PATH_ENV",
        mcp_attest::keysource::PRIVATE_KEY_PATH_ENV,
    )?;
    m.add(
        "MAX_KEY_FILE_BYTES",
        mcp_attest::keysource::MAX_KEY_FILE_BYTES,
    )?;
    m.add_class::<keys::VerifyingKey>()?;
    m.add_class::<keys::DidUrl>()?;
    m.add_class::<keys::DnsRecord>()?;
    m.add_class::<keys::RegistryRecord>()?;
    m.add_class::<tools::ToolReport>()?;
    m.add_class::<tools::ToolsReport>()?;
    m.add_function(wrap_pyfunction!(keys::parse_did_url, m)?)?;
    m.add_function(wrap_pyfunction!(keys::did_document, m)?)?;
    m.add_function(wrap_pyfunction!(keys::base64url_encode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::base64url_decode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::base58_encode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::base58_decode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::multibase_encode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::multibase_decode, m)?)?;
    m.add_function(wrap_pyfunction!(keys::dns_record_name, m)?)?;
    m.add_function(wrap_pyfunction!(keys::dns_record, m)?)?;
    m.add_function(wrap_pyfunction!(keys::registry_record, m)?)?;
    m.add_function(wrap_pyfunction!(tools::canonicalize, m)?)?;
    m.add_function(wrap_pyfunction!(tools::format_rfc3339, m)?)?;
    m.add_function(wrap_pyfunction!(tools::parse_rfc3339, m)?)?;
    m.add_function(wrap_pyfunction!(tools::ext_auth_signing_input, m)?)?;
    m.add_function(wrap_pyfunction!(tools::content_hash, m)?)?;
    m.add_function(wrap_pyfunction!(tools::tools_hash, m)?)?;
    m.add_function(wrap_pyfunction!(tools::sign_tool, m)?)?;
    m.add_function(wrap_pyfunction!(tools::verify_tool, m)?)?;
    m.add_function(wrap_pyfunction!(tools::sign_tools_list, m)?)?;
    m.add_function(wrap_pyfunction!(tools::verify_tools_list, m)?)?;
    m.add_class::<tokens::UnverifiedJws>()?;
    m.add_class::<tokens::VerifiedJws>()?;
    m.add_class::<tokens::McpInfo>()?;
    m.add_class::<tokens::Passport>()?;
    m.add_class::<tokens::TrustedIssuer>()?;
    m.add_class::<tokens::RevocationEntry>()?;
    m.add_class::<tokens::RevocationList>()?;
    m.add_class::<trust::Pin>()?;
    m.add_class::<trust::TrustStore>()?;
    m.add_class::<session::ClientSession>()?;
    m.add_class::<session::ServerPresentation>()?;
    m.add_class::<trust::PublisherInfo>()?;
    m.add_class::<trust::Rotation>()?;
    m.add_class::<trust::VerifiedIdentity>()?;
    m.add_class::<trust::ChallengeRequest>()?;
    m.add_class::<trust::ChallengeResponse>()?;
    m.add_class::<trust::ChallengeResponder>()?;
    m.add_class::<trust::AdmittedChallenge>()?;
    m.add_function(wrap_pyfunction!(tokens::sign_jws, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::parse_jws, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::check_claims, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::verify_jws, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::issue_self_passport, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::issue_passport, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::verify_passport, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::issue_revocation_list, m)?)?;
    m.add_function(wrap_pyfunction!(trust::served_jwk, m)?)?;
    m.add_function(wrap_pyfunction!(trust::publisher_attestation, m)?)?;
    m.add_function(wrap_pyfunction!(trust::revocation_attestation, m)?)?;
    m.add_function(wrap_pyfunction!(trust::identity_document, m)?)?;
    m.add_function(wrap_pyfunction!(trust::verify_identity_document, m)?)?;
    m.add_function(wrap_pyfunction!(trust::verify_challenge_response, m)?)?;
    m.add_function(wrap_pyfunction!(trust::jsonrpc_error, m)?)?;
    m.add_function(wrap_pyfunction!(trust::jsonrpc_error_json, m)?)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_class::<attest::CallerVerifier>()?;
    m.add_class::<attest::CallerContext>()?;
    m.add_class::<attest::EvidenceLog>()?;
    m.add_class::<attest::LogVerifier>()?;
    m.add_function(wrap_pyfunction!(attest::caller_attach, m)?)?;
    m.add_function(wrap_pyfunction!(attest::client_call_evidence, m)?)?;
    m.add_function(wrap_pyfunction!(attest::caller_request_hash, m)?)?;
    m.add_function(wrap_pyfunction!(attest::trust_level, m)?)?;
    m.add_function(wrap_pyfunction!(attest::guard_level, m)?)?;
    m.add_function(wrap_pyfunction!(attest::caller_refusal, m)?)?;
    m.add_function(wrap_pyfunction!(attest::evidence_hash, m)?)?;
    m.add_function(wrap_pyfunction!(attest::evidence_file_name, m)?)?;
    m.add_function(wrap_pyfunction!(attest::evidence_file_index, m)?)?;
    m.add_function(wrap_pyfunction!(attest::verify_ai_identity_passport, m)?)?;
    m.add_function(wrap_pyfunction!(attest::find_ai_identity_passport, m)?)?;
    m.add_function(wrap_pyfunction!(attest::verify_capiscio_badge, m)?)?;
    Ok(())
}

/// Every error code of the core, in declaration order, with its one-line meaning.
#[pyfunction]
fn error_codes() -> Vec<(&'static str, &'static str)> {
    mcp_attest::ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.description()))
        .collect()
}
