//! The client's trust store, identity documents and identity/challenge.

use std::sync::{Mutex, MutexGuard};

use mcp_attest::challenge::{
    self, ChallengeRequest as CoreRequest, ChallengeResponse as CoreResponse,
};
use mcp_attest::identity::{self, PublisherDetails};
use mcp_attest::trust::{self, PinStatus};
use mcp_attest::{Error, ErrorCode};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::PyBytes;

use crate::convert::{bytes_like, each, json_text, json_value, opt_text, text};
use crate::error::CoreResult;
use crate::keys::{random_bytes, signer_arg, vk_arg, VerifyingKey};
use crate::tokens::{RevocationList, TrustedIssuer};

/// A lock that survives a poisoned mutex (the core never panics, so poisoning cannot
/// happen; if it did, the data is still consistent at every await-free call boundary).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// [`lock`] without holding the GIL while waiting, for locks held across a Python signer's
/// call (which may release the GIL): a thread waiting with the GIL would deadlock with it.
pub(crate) fn lock_attached<'a, T>(py: Python<'_>, m: &'a Mutex<T>) -> MutexGuard<'a, T> {
    m.lock_py_attached(py)
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------
// Trust store
// ---------------------------------------------------------------------------------------

/// One pinned server identity.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct Pin {
    inner: trust::Pin,
}

#[pymethods]
impl Pin {
    /// The pinned key.
    #[getter]
    fn key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.key)
    }
    /// When it was first seen, Unix seconds.
    #[getter]
    fn first_seen(&self) -> u64 {
        self.inner.first_seen
    }
    /// When it was last seen, Unix seconds.
    #[getter]
    fn last_seen(&self) -> u64 {
        self.inner.last_seen
    }
    fn __repr__(&self) -> String {
        format!(
            "Pin(key=VerifyingKey('{}'), first_seen={}, last_seen={})",
            self.inner.key.to_did_key(),
            self.inner.first_seen,
            self.inner.last_seen
        )
    }
}

/// Pinned server keys (trust on first use), trusted issuers and revocation lists; safe to
/// share between threads (every method takes an internal lock).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct TrustStore {
    pub(crate) inner: Mutex<trust::TrustStore>,
}

#[pymethods]
impl TrustStore {
    /// An empty store.
    #[new]
    fn py_new() -> Self {
        TrustStore {
            inner: Mutex::new(trust::TrustStore::new()),
        }
    }
    /// Loads a store written by ``to_json`` (revocation lists are re-verified).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = json_text(text, "text")?;
        let t: &str = &t;
        let store = py.detach(|| trust::TrustStore::from_json(t)).py()?;
        Ok(TrustStore {
            inner: Mutex::new(store),
        })
    }
    /// The store as versioned, canonical JSON text.
    fn to_json(&self) -> String {
        lock(&self.inner).to_json()
    }
    /// Checks ``key`` against the pin for ``server``; unknown servers are pinned. Returns
    /// ``"first_use"`` or ``"match"``; raises ``PinnedKeyChangedError``.
    #[pyo3(signature = (server, key, *, now = None))]
    fn check_pin(
        &self,
        server: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<&'static str> {
        let (s, k, n) = (
            text(server, "server")?,
            vk_arg(key, "key")?,
            crate::convert::now(now)?,
        );
        let status = lock(&self.inner).check_pin(s, &k, n).py()?;
        Ok(match status {
            PinStatus::FirstUse => "first_use",
            PinStatus::Match => "match",
        })
    }
    /// Pins ``key`` for ``server``, replacing any pin (an explicit, approved rotation).
    #[pyo3(signature = (server, key, *, now = None))]
    fn pin(
        &self,
        server: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (s, k, n) = (
            text(server, "server")?,
            vk_arg(key, "key")?,
            crate::convert::now(now)?,
        );
        lock(&self.inner).pin(s, &k, n);
        Ok(())
    }
    /// Accepts ``tool`` (a tool definition as listed: a dict or JSON text) as the version
    /// ``server`` may serve: how a host re-approves a tool the report called ``changed``,
    /// after showing its user the ``changed_fields``.
    fn accept_tool(&self, server: &Bound<'_, PyAny>, tool: &Bound<'_, PyAny>) -> PyResult<()> {
        let s = text(server, "server")?;
        let t = crate::convert::json_text(tool, "tool")?;
        mcp_attest::session::accept_tool(&mut lock(&self.inner), s, &t).py()
    }
    /// Forgets the accepted version of ``name`` from ``server``; whether there was one.
    fn forget_tool(&self, server: &Bound<'_, PyAny>, name: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (s, n) = (text(server, "server")?, text(name, "name")?);
        Ok(lock(&self.inner).forget_tool(s, n).is_some())
    }
    /// The names of the tools accepted from ``server``, sorted.
    fn accepted_tool_names(&self, server: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let s = text(server, "server")?;
        Ok(lock(&self.inner)
            .accepted_tools(s)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default())
    }
    /// Removes and returns the pin for ``server`` (and forgets the tools accepted from it).
    fn unpin(&self, server: &Bound<'_, PyAny>) -> PyResult<Option<Pin>> {
        let s = text(server, "server")?;
        Ok(lock(&self.inner).unpin(s).map(|inner| Pin { inner }))
    }
    /// The pin for ``server``, if any.
    fn pinned(&self, server: &Bound<'_, PyAny>) -> PyResult<Option<Pin>> {
        let s = text(server, "server")?;
        Ok(lock(&self.inner)
            .pinned(s)
            .cloned()
            .map(|inner| Pin { inner }))
    }
    /// Trusts ``issuer`` (replacing an issuer with the same id).
    fn add_issuer(&self, issuer: &Bound<'_, TrustedIssuer>) {
        let i = issuer.get().inner.clone();
        lock(&self.inner).add_issuer(i);
    }
    /// The trusted issuers.
    fn issuers(&self) -> Vec<TrustedIssuer> {
        lock(&self.inner)
            .issuers()
            .iter()
            .map(|i| TrustedIssuer { inner: i.clone() })
            .collect()
    }
    /// Verifies a revocation list under the trusted issuers and adds it; returns False when an
    /// older list than the one held was ignored.
    #[pyo3(signature = (token, *, now = None))]
    fn add_revocation_list(
        &self,
        token: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let (t, n) = (text(token, "token")?, crate::convert::now(now)?);
        lock(&self.inner).add_revocation_list(t, n).py()
    }
    /// The verified revocation lists.
    fn revocation_lists(&self) -> Vec<RevocationList> {
        lock(&self.inner)
            .revocation_lists()
            .into_iter()
            .map(|inner| RevocationList { inner })
            .collect()
    }
    /// Raises ``RevokedError`` if a revocation list names ``key`` or its DID.
    fn check_revoked(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let k = vk_arg(key, "key")?;
        lock(&self.inner).check_revoked(&k).py()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(other) = other.cast::<TrustStore>() else {
            return false;
        };
        let other = other.get();
        if std::ptr::eq(self, other) {
            return true;
        }
        let mine = lock(&self.inner).clone();
        let theirs = lock(&other.inner);
        mine == *theirs
    }
    fn __repr__(&self) -> String {
        let s = lock(&self.inner);
        format!(
            "TrustStore(issuers={}, revocation_lists={})",
            s.issuers().len(),
            s.revocation_lists().len()
        )
    }
}

// ---------------------------------------------------------------------------------------
// identity/get
// ---------------------------------------------------------------------------------------

/// The server JWK as ``identity/get`` serves it, as JSON text.
#[pyfunction]
pub(crate) fn served_jwk(key: &Bound<'_, PyAny>, kid: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(identity::served_jwk(&vk_arg(key, "key")?, text(kid, "kid")?).to_jcs())
}

/// A publisher attestation for ``server`` (JSON text), valid ``ttl`` seconds if given.
#[pyfunction]
#[pyo3(signature = (publisher_key, server, *, name, url = None, kid = None, now = None, ttl = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn publisher_attestation(
    publisher_key: &Bound<'_, PyAny>,
    server: &Bound<'_, PyAny>,
    name: &Bound<'_, PyAny>,
    url: Option<&Bound<'_, PyAny>>,
    kid: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    ttl: Option<u64>,
) -> PyResult<String> {
    let signer = signer_arg(publisher_key, "publisher_key")?;
    let p = PublisherDetails {
        name: text(name, "name")?,
        url: opt_text(url, "url")?,
        kid: opt_text(kid, "kid")?,
    };
    let server = vk_arg(server, "server")?;
    identity::publisher_attestation_with(&signer, &p, &server, crate::convert::now(now)?, ttl)
        .py()
        .map(|v| v.to_jcs())
}

/// A revocation attestation signed by the old key (JSON text).
#[pyfunction]
#[pyo3(signature = (old_key, revoked_kid, *, replacement_key = None, reason = None, now = None))]
pub(crate) fn revocation_attestation(
    old_key: &Bound<'_, PyAny>,
    revoked_kid: &Bound<'_, PyAny>,
    replacement_key: Option<&Bound<'_, PyAny>>,
    reason: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let replacement = replacement_key
        .map(|k| vk_arg(k, "replacement_key"))
        .transpose()?;
    let signer = signer_arg(old_key, "old_key")?;
    identity::revocation_attestation_with(
        &signer,
        text(revoked_kid, "revoked_kid")?,
        replacement.as_ref(),
        opt_text(reason, "reason")?,
        crate::convert::now(now)?,
    )
    .py()
    .map(|v| v.to_jcs())
}

/// The ``identity/get`` result for ``server_key`` (JSON text): its served JWK, a fresh self
/// attestation and ``attestations`` (publisher, revocation; JSON text or mappings).
#[pyfunction]
#[pyo3(signature = (server_key, *, kid = None, now = None, attestations = None))]
pub(crate) fn identity_document(
    server_key: &Bound<'_, PyAny>,
    kid: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    attestations: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let extra = match attestations {
        Some(a) if !a.is_none() => each(a, |x| json_value(x, "attestation"))?,
        _ => Vec::new(),
    };
    let signer = signer_arg(server_key, "server_key")?;
    identity::identity_document_with(
        &signer,
        opt_text(kid, "kid")?,
        crate::convert::now(now)?,
        &extra,
    )
    .py()
}

/// A verified publisher attestation.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct PublisherInfo {
    inner: identity::PublisherInfo,
}

#[pymethods]
impl PublisherInfo {
    /// The publisher's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Its URL.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
    /// Its key.
    #[getter]
    fn key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.key)
    }
    /// Its key's ``kid``.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid.as_deref()
    }
    /// ``signedAt``, Unix seconds.
    #[getter]
    fn signed_at(&self) -> u64 {
        self.inner.signed_at
    }
    /// ``expiresAt``, Unix seconds.
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.inner.expires_at
    }
    /// Whether the attestation names this server's key.
    #[getter]
    fn bound(&self) -> bool {
        self.inner.bound
    }
    /// Whether the publisher key is among the caller's trusted publishers.
    #[getter]
    fn trusted(&self) -> bool {
        self.inner.trusted
    }
    fn __repr__(&self) -> String {
        format!(
            "PublisherInfo(name={:?}, trusted={}, bound={})",
            self.inner.name,
            if self.inner.trusted { "True" } else { "False" },
            if self.inner.bound { "True" } else { "False" }
        )
    }
}

/// A revocation attestation in an identity document.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct Rotation {
    inner: identity::Rotation,
}

#[pymethods]
impl Rotation {
    /// The revoked key id.
    #[getter]
    fn revoked_kid(&self) -> &str {
        &self.inner.revoked_kid
    }
    /// Its replacement.
    #[getter]
    fn replacement_kid(&self) -> Option<&str> {
        self.inner.replacement_kid.as_deref()
    }
    /// Why.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }
    /// Whether it verified under the caller's previously pinned key.
    #[getter]
    fn verified(&self) -> bool {
        self.inner.verified
    }
    fn __repr__(&self) -> String {
        format!(
            "Rotation(revoked_kid={:?}, replacement_kid={:?}, verified={})",
            self.inner.revoked_kid,
            self.inner.replacement_kid,
            if self.inner.verified { "True" } else { "False" }
        )
    }
}

/// A verified identity document.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct VerifiedIdentity {
    inner: identity::VerifiedIdentity,
}

#[pymethods]
impl VerifiedIdentity {
    /// The server key.
    #[getter]
    fn key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.key)
    }
    /// Its ``kid``.
    #[getter]
    fn kid(&self) -> &str {
        &self.inner.kid
    }
    /// The self attestation's ``signedAt``, Unix seconds.
    #[getter]
    fn self_signed_at(&self) -> u64 {
        self.inner.self_signed_at
    }
    /// Publisher attestations (all verified; see ``trusted`` and ``bound``).
    #[getter]
    fn publishers(&self) -> Vec<PublisherInfo> {
        self.inner
            .publishers
            .iter()
            .map(|p| PublisherInfo { inner: p.clone() })
            .collect()
    }
    /// Revocation attestations.
    #[getter]
    fn rotations(&self) -> Vec<Rotation> {
        self.inner
            .rotations
            .iter()
            .map(|r| Rotation { inner: r.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifiedIdentity(key=VerifyingKey('{}'), kid={:?}, publishers={}, rotations={})",
            self.inner.key.to_did_key(),
            self.inner.kid,
            self.inner.publishers.len(),
            self.inner.rotations.len()
        )
    }
}

/// Verifies an ``identity/get`` result: key, self attestation, publisher attestations and,
/// with ``previous_key``, revocation attestations.
#[pyfunction]
#[pyo3(signature = (document, *, now = None, trusted_publishers = None, require_trusted_publisher = false, previous_key = None))]
pub(crate) fn verify_identity_document(
    py: Python<'_>,
    document: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    trusted_publishers: Option<&Bound<'_, PyAny>>,
    require_trusted_publisher: bool,
    previous_key: Option<&Bound<'_, PyAny>>,
) -> PyResult<VerifiedIdentity> {
    let doc = json_text(document, "document")?;
    let trusted = match trusted_publishers {
        Some(t) if !t.is_none() => each(t, |k| vk_arg(k, "trusted_publishers item"))?,
        _ => Vec::new(),
    };
    let prev = match previous_key {
        Some(k) if !k.is_none() => Some(vk_arg(k, "previous_key")?),
        _ => None,
    };
    let options = identity::VerifyOptions {
        now: crate::convert::now(now)?,
        trusted_publishers: &trusted,
        require_trusted_publisher,
        previous_key: prev.as_ref(),
    };
    let d: &str = &doc;
    let inner = py.detach(|| identity::verify_document(d, &options)).py()?;
    Ok(VerifiedIdentity { inner })
}

// ---------------------------------------------------------------------------------------
// identity/challenge
// ---------------------------------------------------------------------------------------

/// The params of an ``identity/challenge`` request.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct ChallengeRequest {
    inner: CoreRequest,
}

#[pymethods]
impl ChallengeRequest {
    /// A request for ``random`` (32..=512 bytes; default 32 fresh bytes from the OS) at the
    /// client's time ``now``.
    #[new]
    #[pyo3(signature = (random = None, *, now = None))]
    fn py_new(random: Option<&Bound<'_, PyAny>>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let n = crate::convert::now(now)?;
        let inner = match random {
            Some(r) if !r.is_none() => {
                CoreRequest::from_random(&bytes_like(r, "random")?, n).py()?
            }
            _ => CoreRequest::new(&random_bytes::<32>()?, n),
        };
        Ok(ChallengeRequest { inner })
    }
    /// Parses and checks ``identity/challenge`` params (JSON text or a mapping).
    #[staticmethod]
    fn from_json(params: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = json_text(params, "params")?;
        Ok(ChallengeRequest {
            inner: CoreRequest::from_json(&t).py()?,
        })
    }
    /// The challenge as sent (unpadded base64url).
    #[getter]
    fn challenge(&self) -> &str {
        self.inner.challenge()
    }
    /// The timestamp as sent.
    #[getter]
    fn timestamp(&self) -> &str {
        self.inner.timestamp()
    }
    /// The params as canonical JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The bytes the server signs: decoded challenge ‖ timestamp (UTF-8).
    fn signing_input<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.signing_input().py()?))
    }
    fn __repr__(&self) -> String {
        format!(
            "ChallengeRequest(challenge={:?}, timestamp={:?})",
            self.inner.challenge(),
            self.inner.timestamp()
        )
    }
}

/// The result of an ``identity/challenge`` request.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct ChallengeResponse {
    inner: CoreResponse,
}

#[pymethods]
impl ChallengeResponse {
    #[new]
    fn py_new(signature: &Bound<'_, PyAny>, kid: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(ChallengeResponse {
            inner: CoreResponse {
                signature: text(signature, "signature")?.to_owned(),
                kid: text(kid, "kid")?.to_owned(),
            },
        })
    }
    /// Parses a result (JSON text or a mapping); checks only its shape.
    #[staticmethod]
    fn from_json(result: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = json_text(result, "result")?;
        Ok(ChallengeResponse {
            inner: CoreResponse::from_json(&t).py()?,
        })
    }
    /// The signature (unpadded base64url).
    #[getter]
    fn signature(&self) -> &str {
        &self.inner.signature
    }
    /// The key id the server signed with.
    #[getter]
    fn kid(&self) -> &str {
        &self.inner.kid
    }
    /// The result as canonical JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    fn __repr__(&self) -> String {
        format!("ChallengeResponse(kid={:?})", self.inner.kid)
    }
}

/// Answers ``identity/challenge`` (server side): checks params, remembers the nonce in a
/// bounded replay cache with per-client quotas, signs. Safe to share between threads
/// (internal lock).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct ChallengeResponder {
    inner: Mutex<challenge::ChallengeResponder>,
    kid: String,
    capacity: usize,
    client_quota: usize,
}

/// A challenge admitted by ``ChallengeResponder.admit``, waiting for a replay store's
/// insert-if-absent of ``store_key`` until ``expires_at``.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct AdmittedChallenge {
    inner: challenge::AdmittedChallenge,
}

#[pymethods]
impl AdmittedChallenge {
    /// The key to insert: 32 hex characters (the first 16 bytes of SHA-256 of the challenge).
    #[getter]
    fn store_key(&self) -> String {
        self.inner.store_key()
    }
    /// Until when (Unix seconds, inclusive) the store must keep the key.
    #[getter]
    fn expires_at(&self) -> u64 {
        self.inner.expires_at()
    }
    fn __repr__(&self) -> String {
        format!(
            "AdmittedChallenge(store_key={:?}, expires_at={})",
            self.inner.store_key(),
            self.inner.expires_at()
        )
    }
}

#[pymethods]
impl ChallengeResponder {
    #[new]
    #[pyo3(signature = (kid, *, cache_capacity = challenge::DEFAULT_NONCE_CACHE_CAPACITY, client_quota = None))]
    fn py_new(
        kid: &Bound<'_, PyAny>,
        cache_capacity: usize,
        client_quota: Option<usize>,
    ) -> PyResult<Self> {
        let kid = text(kid, "kid")?.to_owned();
        let inner = match client_quota {
            Some(q) => {
                challenge::ChallengeResponder::with_client_quota(kid.clone(), cache_capacity, q)
            }
            None => challenge::ChallengeResponder::new(kid.clone(), cache_capacity),
        };
        let capacity = inner.cache().capacity();
        let client_quota = inner.cache().client_quota();
        Ok(ChallengeResponder {
            inner: Mutex::new(inner),
            kid,
            capacity,
            client_quota,
        })
    }
    /// Checks ``params`` and signs them with ``key`` at server time ``now``; with
    /// ``client_key`` the nonce is charged to that client's quota. Raises
    /// ``InvalidChallengeError``, ``StaleTimestampError``, ``ReplayedNonceError``,
    /// ``ChallengeRateLimitedError`` or ``NonceCacheFullError`` (see ``jsonrpc_error``).
    #[pyo3(signature = (key, params, *, now = None, client_key = None))]
    fn respond(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        client_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ChallengeResponse> {
        let signer = signer_arg(key, "key")?;
        let t = json_text(params, "params")?;
        let n = crate::convert::now(now)?;
        let client = opt_text(client_key, "client_key")?;
        let mut responder = lock_attached(py, &self.inner);
        let inner = match client {
            Some(c) => responder.respond_for(&signer, &t, c, n),
            None => responder.respond(&signer, &t, n),
        }
        .py()?;
        Ok(ChallengeResponse { inner })
    }
    /// The first half of ``respond`` for a shared replay store: every check and the quota
    /// (``client_key``; without one, a shared anonymous client), nothing signed.
    #[pyo3(signature = (params, *, now = None, client_key = None))]
    fn admit(
        &self,
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        client_key: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<AdmittedChallenge> {
        let t = json_text(params, "params")?;
        let n = crate::convert::now(now)?;
        let client = opt_text(client_key, "client_key")?.unwrap_or("");
        let inner = lock_attached(py, &self.inner).admit(&t, client, n).py()?;
        Ok(AdmittedChallenge { inner })
    }
    /// Signs a challenge ``admit`` returned (after the store inserted its key).
    fn sign(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        admitted: &Bound<'_, AdmittedChallenge>,
    ) -> PyResult<ChallengeResponse> {
        let signer = signer_arg(key, "key")?;
        let inner = lock_attached(py, &self.inner)
            .sign_with(&signer, &admitted.get().inner)
            .py()?;
        Ok(ChallengeResponse { inner })
    }
    /// The key id put in every response.
    #[getter]
    fn kid(&self) -> &str {
        &self.kid
    }
    /// The most nonces the replay cache holds.
    #[getter]
    fn cache_capacity(&self) -> usize {
        self.capacity
    }
    /// The most nonces one client may hold.
    #[getter]
    fn client_quota(&self) -> usize {
        self.client_quota
    }
    /// The nonces the replay cache holds now.
    fn cache_len(&self, py: Python<'_>) -> usize {
        lock_attached(py, &self.inner).cache().len()
    }
    fn __repr__(&self) -> String {
        format!(
            "ChallengeResponder(kid={:?}, cache_capacity={}, client_quota={})",
            self.kid, self.capacity, self.client_quota
        )
    }
}

/// Checks the server's answer to ``request`` under ``key`` (client side); raises
/// ``KidMismatchError`` or ``InvalidSignatureError``.
#[pyfunction]
#[pyo3(signature = (request, response, key, *, expected_kid = None))]
pub(crate) fn verify_challenge_response(
    request: &Bound<'_, ChallengeRequest>,
    response: &Bound<'_, ChallengeResponse>,
    key: &Bound<'_, PyAny>,
    expected_kid: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    challenge::verify_response(
        &request.get().inner,
        &response.get().inner,
        &vk_arg(key, "key")?,
        opt_text(expected_kid, "expected_kid")?,
    )
    .py()
}

fn core_error(err: &Bound<'_, PyAny>) -> PyResult<Error> {
    let code: String = err
        .getattr("code")
        .and_then(|c| c.extract())
        .map_err(|_| PyTypeError::new_err("error must be an McpAttestError"))?;
    let code = ErrorCode::from_code(&code)
        .ok_or_else(|| PyValueError::new_err("error has an unknown code"))?;
    Ok(Error::with_message(code, err.str()?.to_string()))
}

/// The JSON-RPC ``(code, data.reason)`` for a failed challenge.
#[pyfunction]
pub(crate) fn jsonrpc_error(error: &Bound<'_, PyAny>) -> PyResult<(i64, &'static str)> {
    Ok(challenge::jsonrpc_error(&core_error(error)?))
}

/// The JSON-RPC error object for a failed challenge, as canonical JSON text.
#[pyfunction]
pub(crate) fn jsonrpc_error_json(error: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(challenge::jsonrpc_error_json(&core_error(error)?))
}
