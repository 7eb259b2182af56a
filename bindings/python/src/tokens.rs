//! Compact JWS, passports, trusted issuers and revocation lists.

use mcp_attest::issuer::TrustedIssuer as CoreIssuer;
use mcp_attest::json::Object;
use mcp_attest::jws;
use mcp_attest::passport::{self, McpInfo as CoreMcpInfo};
use mcp_attest::revocation::{self, Entry, EntryKind, RevocationList as CoreList};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{each, json_object, json_text, now, object_to_py, opt_text, opt_time, text};
use crate::error::CoreResult;
use crate::keys::{signer_arg, vk_arg, VerifyingKey};

fn opt_str_repr(s: Option<&str>) -> String {
    s.map_or_else(|| "None".into(), |s| format!("{s:?}"))
}

fn opt_num_repr(n: Option<u64>) -> String {
    n.map_or_else(|| "None".into(), |n| n.to_string())
}

// ---------------------------------------------------------------------------------------
// JWS
// ---------------------------------------------------------------------------------------

/// Signs ``claims`` (a JSON object) as a compact JWS with ``alg: EdDSA`` and optional
/// ``typ`` and ``kid``; header and payload are canonical JSON.
#[pyfunction]
#[pyo3(signature = (key, claims, *, typ = None, kid = None))]
pub(crate) fn sign_jws(
    key: &Bound<'_, PyAny>,
    claims: &Bound<'_, PyAny>,
    typ: Option<&Bound<'_, PyAny>>,
    kid: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let signer = signer_arg(key, "key")?;
    let c = json_object(claims, "claims")?;
    jws::sign_with(&signer, opt_text(typ, "typ")?, opt_text(kid, "kid")?, &c).py()
}

/// A compact JWS whose structure, ``alg`` and ``crit`` were checked, but not its signature.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct UnverifiedJws {
    token: String,
    max_bytes: usize,
    header: Object,
    payload: Object,
}

/// Parses a compact JWS and checks everything that needs no key.
#[pyfunction]
#[pyo3(signature = (token, *, max_bytes = jws::MAX_TOKEN_BYTES))]
pub(crate) fn parse_jws(token: &Bound<'_, PyAny>, max_bytes: usize) -> PyResult<UnverifiedJws> {
    let t = text(token, "token")?;
    let parsed = jws::parse(t, max_bytes).py()?;
    Ok(UnverifiedJws {
        header: parsed.header().clone(),
        payload: parsed.unverified_claims().clone(),
        token: t.to_owned(),
        max_bytes,
    })
}

fn claim_rules<'a>(
    now_: Option<&Bound<'_, PyAny>>,
    leeway: u64,
    audience: Option<&'a str>,
    require_exp: bool,
    max_lifetime: Option<u64>,
) -> PyResult<jws::ClaimRules<'a>> {
    Ok(jws::ClaimRules {
        now: now(now_)?,
        leeway,
        audience,
        require_exp,
        max_lifetime,
    })
}

#[pymethods]
impl UnverifiedJws {
    /// The protected header (not yet authenticated), as a new dict.
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.header)
    }
    /// The payload (not yet authenticated: for choosing a key, never for trusting).
    #[getter]
    fn unverified_claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.payload)
    }
    /// Checks that the header's ``typ`` is ``typ`` (case-insensitively).
    fn expect_typ(&self, typ: &Bound<'_, PyAny>) -> PyResult<()> {
        let p = jws::parse(&self.token, self.max_bytes).py()?;
        p.expect_typ(text(typ, "typ")?).py()
    }
    /// Checks the signature under ``key`` (strict Ed25519).
    fn verify(&self, key: &Bound<'_, PyAny>) -> PyResult<VerifiedJws> {
        let k = vk_arg(key, "key")?;
        let p = jws::parse(&self.token, self.max_bytes).py()?;
        let v = p.verify(&k).py()?;
        Ok(VerifiedJws {
            header: v.header,
            claims: v.claims,
        })
    }
    /// Verifies under the first of ``keys`` the signature matches; returns it too.
    fn verify_any(&self, keys: &Bound<'_, PyAny>) -> PyResult<(VerifiedJws, VerifyingKey)> {
        let ks = each(keys, |k| vk_arg(k, "keys item"))?;
        let p = jws::parse(&self.token, self.max_bytes).py()?;
        let (v, k) = p.verify_any(ks.iter()).py()?;
        Ok((
            VerifiedJws {
                header: v.header,
                claims: v.claims,
            },
            VerifyingKey::new(k),
        ))
    }
    /// Applies the registered-claim rules to the unverified claims (for tests and triage).
    #[pyo3(signature = (*, now = None, leeway = jws::DEFAULT_LEEWAY, audience = None, require_exp = true, max_lifetime = None))]
    fn check_claims(
        &self,
        now: Option<&Bound<'_, PyAny>>,
        leeway: u64,
        audience: Option<&Bound<'_, PyAny>>,
        require_exp: bool,
        max_lifetime: Option<u64>,
    ) -> PyResult<()> {
        let rules = claim_rules(
            now,
            leeway,
            opt_text(audience, "audience")?,
            require_exp,
            max_lifetime,
        )?;
        jws::check_claims(&self.payload, &rules).py()
    }
    fn __repr__(&self) -> String {
        format!(
            "UnverifiedJws(header={})",
            mcp_attest::json::Value::Object(self.header.clone()).to_jcs()
        )
    }
}

/// A JWS whose signature verified under the caller's key.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct VerifiedJws {
    header: Object,
    claims: Object,
}

#[pymethods]
impl VerifiedJws {
    /// The protected header, as a new dict.
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.header)
    }
    /// The claims, as a new dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        object_to_py(py, &self.claims)
    }
    /// Checks the registered claims (types, ``exp``, ``nbf``, ``iat``, ``aud``).
    #[pyo3(signature = (*, now = None, leeway = jws::DEFAULT_LEEWAY, audience = None, require_exp = true, max_lifetime = None))]
    fn check_claims(
        &self,
        now: Option<&Bound<'_, PyAny>>,
        leeway: u64,
        audience: Option<&Bound<'_, PyAny>>,
        require_exp: bool,
        max_lifetime: Option<u64>,
    ) -> PyResult<()> {
        let rules = claim_rules(
            now,
            leeway,
            opt_text(audience, "audience")?,
            require_exp,
            max_lifetime,
        )?;
        jws::check_claims(&self.claims, &rules).py()
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifiedJws(header={})",
            mcp_attest::json::Value::Object(self.header.clone()).to_jcs()
        )
    }
}

/// Checks the registered claims of ``claims`` (a JSON object).
#[pyfunction]
#[pyo3(signature = (claims, *, now = None, leeway = jws::DEFAULT_LEEWAY, audience = None, require_exp = true, max_lifetime = None))]
pub(crate) fn check_claims(
    claims: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    leeway: u64,
    audience: Option<&Bound<'_, PyAny>>,
    require_exp: bool,
    max_lifetime: Option<u64>,
) -> PyResult<()> {
    let c = json_object(claims, "claims")?;
    let rules = claim_rules(
        now,
        leeway,
        opt_text(audience, "audience")?,
        require_exp,
        max_lifetime,
    )?;
    jws::check_claims(&c, &rules).py()
}

/// Parses, checks ``typ`` (if given), verifies under ``key`` and checks the claims, in
/// that order: the first failure is raised.
#[pyfunction]
#[pyo3(signature = (token, key, *, typ = None, now = None, leeway = jws::DEFAULT_LEEWAY, audience = None, require_exp = true, max_lifetime = None, max_bytes = jws::MAX_TOKEN_BYTES))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_jws(
    token: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
    typ: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    leeway: u64,
    audience: Option<&Bound<'_, PyAny>>,
    require_exp: bool,
    max_lifetime: Option<u64>,
    max_bytes: usize,
) -> PyResult<VerifiedJws> {
    let t = text(token, "token")?;
    let k = vk_arg(key, "key")?;
    let typ = opt_text(typ, "typ")?;
    let rules = claim_rules(
        now,
        leeway,
        opt_text(audience, "audience")?,
        require_exp,
        max_lifetime,
    )?;
    let p = jws::parse(t, max_bytes).py()?;
    if let Some(typ) = typ {
        p.expect_typ(typ).py()?;
    }
    let v = p.verify(&k).py()?;
    jws::check_claims(&v.claims, &rules).py()?;
    Ok(VerifiedJws {
        header: v.header,
        claims: v.claims,
    })
}

// ---------------------------------------------------------------------------------------
// Passports
// ---------------------------------------------------------------------------------------

/// The MCP server a passport describes.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct McpInfo {
    inner: CoreMcpInfo,
}

#[pymethods]
impl McpInfo {
    #[new]
    #[pyo3(signature = (name, *, version = None, endpoints = None, tools_hash = None))]
    fn py_new(
        name: &Bound<'_, PyAny>,
        version: Option<&Bound<'_, PyAny>>,
        endpoints: Option<&Bound<'_, PyAny>>,
        tools_hash: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let endpoints = match endpoints {
            Some(e) if !e.is_none() => {
                if e.cast::<pyo3::types::PyString>().is_ok() {
                    return Err(PyTypeError::new_err(
                        "endpoints must be a sequence of str, not str",
                    ));
                }
                each(e, |x| text(x, "endpoint").map(String::from))?
            }
            _ => Vec::new(),
        };
        Ok(McpInfo {
            inner: CoreMcpInfo {
                name: text(name, "name")?.to_owned(),
                version: opt_text(version, "version")?.map(String::from),
                endpoints,
                tools_hash: opt_text(tools_hash, "tools_hash")?.map(String::from),
            },
        })
    }
    /// The server's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Its version.
    #[getter]
    fn version(&self) -> Option<&str> {
        self.inner.version.as_deref()
    }
    /// Where it can be reached.
    #[getter]
    fn endpoints<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.inner.endpoints)
    }
    /// The ``toolsHash`` it pins, if any.
    #[getter]
    fn tools_hash(&self) -> Option<&str> {
        self.inner.tools_hash.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "McpInfo(name={:?}, version={}, endpoints={:?}, tools_hash={})",
            self.inner.name,
            opt_str_repr(self.inner.version.as_deref()),
            self.inner.endpoints,
            opt_str_repr(self.inner.tools_hash.as_deref())
        )
    }
}

fn mcp_arg(ob: &Bound<'_, PyAny>) -> PyResult<CoreMcpInfo> {
    ob.cast::<McpInfo>()
        .map(|m| m.get().inner.clone())
        .map_err(|_| PyTypeError::new_err("mcp must be an McpInfo"))
}

fn issue_options<'a>(
    now_: Option<&Bound<'_, PyAny>>,
    ttl: u64,
    audience: Option<&'a str>,
    jti: Option<&'a str>,
    not_before: Option<&Bound<'_, PyAny>>,
) -> PyResult<passport::IssueOptions<'a>> {
    Ok(passport::IssueOptions {
        now: now(now_)?,
        ttl,
        audience,
        jti,
        not_before: opt_time(not_before, "not_before")?,
    })
}

/// Issues a self-issued passport (``iss = sub =`` the server's did:key).
#[pyfunction]
#[pyo3(signature = (server_key, mcp, *, now = None, ttl = passport::DEFAULT_PASSPORT_TTL, audience = None, jti = None, not_before = None))]
pub(crate) fn issue_self_passport(
    server_key: &Bound<'_, PyAny>,
    mcp: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    ttl: u64,
    audience: Option<&Bound<'_, PyAny>>,
    jti: Option<&Bound<'_, PyAny>>,
    not_before: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let m = mcp_arg(mcp)?;
    let o = issue_options(
        now,
        ttl,
        opt_text(audience, "audience")?,
        opt_text(jti, "jti")?,
        not_before,
    )?;
    let signer = signer_arg(server_key, "server_key")?;
    passport::issue_self_with(&signer, &m, &o).py()
}

/// Issues a passport for ``server`` signed by a publisher or registry as ``issuer_id``.
#[pyfunction]
#[pyo3(signature = (issuer_key, issuer_id, server, mcp, *, issuer_kid = None, now = None, ttl = passport::DEFAULT_PASSPORT_TTL, audience = None, jti = None, not_before = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn issue_passport(
    issuer_key: &Bound<'_, PyAny>,
    issuer_id: &Bound<'_, PyAny>,
    server: &Bound<'_, PyAny>,
    mcp: &Bound<'_, PyAny>,
    issuer_kid: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
    ttl: u64,
    audience: Option<&Bound<'_, PyAny>>,
    jti: Option<&Bound<'_, PyAny>>,
    not_before: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let m = mcp_arg(mcp)?;
    let server = vk_arg(server, "server")?;
    let o = issue_options(
        now,
        ttl,
        opt_text(audience, "audience")?,
        opt_text(jti, "jti")?,
        not_before,
    )?;
    let signer = signer_arg(issuer_key, "issuer_key")?;
    passport::issue_with(
        &signer,
        text(issuer_id, "issuer_id")?,
        opt_text(issuer_kid, "issuer_kid")?,
        &server,
        &m,
        &o,
    )
    .py()
}

/// A verified passport.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct Passport {
    inner: passport::Passport,
}

#[pymethods]
impl Passport {
    /// ``iss``.
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }
    /// ``sub``: the server's did:key.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }
    /// The server key.
    #[getter]
    fn subject_key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.subject_key)
    }
    /// The key that signed the passport.
    #[getter]
    fn issuer_key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.issuer_key)
    }
    /// Whether ``iss = sub``.
    #[getter]
    fn self_issued(&self) -> bool {
        self.inner.self_issued
    }
    /// ``aud``, as a tuple.
    #[getter]
    fn audience<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.inner.audience)
    }
    /// ``iat``.
    #[getter]
    fn issued_at(&self) -> Option<u64> {
        self.inner.issued_at
    }
    /// ``nbf``.
    #[getter]
    fn not_before(&self) -> Option<u64> {
        self.inner.not_before
    }
    /// ``exp``.
    #[getter]
    fn expires_at(&self) -> u64 {
        self.inner.expires_at
    }
    /// ``jti``.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.inner.jti.as_deref()
    }
    /// The ``mcp`` claim.
    #[getter]
    fn mcp(&self) -> Option<McpInfo> {
        self.inner.mcp.clone().map(|inner| McpInfo { inner })
    }
    fn __repr__(&self) -> String {
        format!(
            "Passport(issuer={:?}, subject={:?}, self_issued={}, expires_at={}, mcp_name={})",
            self.inner.issuer,
            self.inner.subject,
            if self.inner.self_issued {
                "True"
            } else {
                "False"
            },
            self.inner.expires_at,
            opt_str_repr(self.inner.mcp.as_ref().map(|m| m.name.as_str()))
        )
    }
}

fn issuers_arg(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<CoreIssuer>> {
    match ob {
        Some(o) if !o.is_none() => each(o, |i| {
            i.cast::<TrustedIssuer>()
                .map(|t| t.get().inner.clone())
                .map_err(|_| PyTypeError::new_err("issuers must be TrustedIssuer objects"))
        }),
        _ => Ok(Vec::new()),
    }
}

pub(crate) fn lists_arg(ob: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<CoreList>> {
    match ob {
        Some(o) if !o.is_none() => each(o, |i| {
            i.cast::<RevocationList>()
                .map(|t| t.get().inner.clone())
                .map_err(|_| PyTypeError::new_err("revocations must be RevocationList objects"))
        }),
        _ => Ok(Vec::new()),
    }
}

/// Verifies a passport: structure, ``typ``, the signing key (the DID for self-issued, a
/// trusted issuer's key otherwise), signature, claims, subject binding, the expected
/// subject and revocation, in that order.
#[pyfunction]
#[pyo3(signature = (token, *, now = None, leeway = jws::DEFAULT_LEEWAY, audience = None, issuers = None, allow_self_issued = None, max_age = None, max_lifetime = passport::DEFAULT_MAX_LIFETIME, revocations = None, subject = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_passport(
    py: Python<'_>,
    token: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    leeway: u64,
    audience: Option<&Bound<'_, PyAny>>,
    issuers: Option<&Bound<'_, PyAny>>,
    allow_self_issued: Option<bool>,
    max_age: Option<u64>,
    max_lifetime: u64,
    revocations: Option<&Bound<'_, PyAny>>,
    subject: Option<&Bound<'_, PyAny>>,
) -> PyResult<Passport> {
    let t = text(token, "token")?;
    let issuers = issuers_arg(issuers)?;
    let lists = lists_arg(revocations)?;
    let subject = match subject {
        Some(s) if !s.is_none() => Some(vk_arg(s, "subject")?),
        _ => None,
    };
    let options = passport::VerifyOptions {
        now: crate::convert::now(now)?,
        leeway,
        audience: opt_text(audience, "audience")?,
        issuers: &issuers,
        allow_self_issued,
        max_age,
        max_lifetime,
        revocations: &lists,
        subject: subject.as_ref(),
    };
    let p = py.detach(|| passport::verify(t, &options)).py()?;
    Ok(Passport { inner: p })
}

// ---------------------------------------------------------------------------------------
// Trusted issuers
// ---------------------------------------------------------------------------------------

/// A publisher or registry: the ``iss`` it signs with and its keys.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct TrustedIssuer {
    pub(crate) inner: CoreIssuer,
}

#[pymethods]
impl TrustedIssuer {
    /// An issuer ``id`` with one key.
    #[new]
    fn py_new(id: &Bound<'_, PyAny>, key: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(TrustedIssuer {
            inner: CoreIssuer::new(text(id, "id")?, vk_arg(key, "key")?),
        })
    }
    /// An issuer identified by its did:key.
    #[staticmethod]
    fn from_did_key(did: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(TrustedIssuer {
            inner: CoreIssuer::from_did_key(text(did, "did")?).py()?,
        })
    }
    /// An issuer from a JWKS (``{"keys": [...]}``); non-Ed25519 keys are skipped.
    #[staticmethod]
    fn from_jwks(id: &Bound<'_, PyAny>, jwks: &Bound<'_, PyAny>) -> PyResult<Self> {
        let j = json_text(jwks, "jwks")?;
        Ok(TrustedIssuer {
            inner: CoreIssuer::from_jwks(text(id, "id")?, &j).py()?,
        })
    }
    /// The issuer as JSON text (``{"id":…,"keys":[JWK…]}``), as a trust store holds it.
    fn to_json(&self) -> String {
        self.inner.to_value().to_jcs()
    }
    /// The highest trust level (0–4) this issuer's passports can grant (default 3).
    #[getter]
    fn max_level(&self) -> u8 {
        self.inner.max_level()
    }
    /// A copy that may grant at most ``level`` (0–4; above 4 is taken as 4).
    fn with_max_level(&self, level: u8) -> Self {
        TrustedIssuer {
            inner: self.inner.clone().with_max_level(level),
        }
    }
    /// The inverse of ``to_json``.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        let v = crate::convert::json_value(text, "text")?;
        Ok(TrustedIssuer {
            inner: CoreIssuer::from_value(&v).py()?,
        })
    }
    /// A copy with another key (key rotation).
    #[pyo3(signature = (key, *, kid = None))]
    fn with_key(&self, key: &Bound<'_, PyAny>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut inner = self.inner.clone();
        inner.add_key(opt_text(kid, "kid")?, vk_arg(key, "key")?);
        Ok(TrustedIssuer { inner })
    }
    /// The issuer identifier.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }
    /// ``(kid, key)`` pairs.
    #[getter]
    fn keys(&self) -> Vec<(Option<String>, VerifyingKey)> {
        self.inner
            .keys()
            .iter()
            .map(|(kid, k)| (kid.clone(), VerifyingKey::new(*k)))
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "TrustedIssuer(id={:?}, keys={})",
            self.inner.id(),
            self.inner.keys().len()
        )
    }
}

// ---------------------------------------------------------------------------------------
// Revocation lists
// ---------------------------------------------------------------------------------------

/// One revocation: a key (by thumbprint), a DID or a passport id.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct RevocationEntry {
    inner: Entry,
}

fn kind_str(k: EntryKind) -> &'static str {
    k.as_str()
}

fn kind_arg(kind: &str) -> PyResult<EntryKind> {
    match kind {
        "key" => Ok(EntryKind::Key),
        "did" => Ok(EntryKind::Did),
        "jti" => Ok(EntryKind::Jti),
        _ => Err(PyValueError::new_err("kind must be 'key', 'did' or 'jti'")),
    }
}

fn entry_with(mut e: Entry, revoked_at: Option<&Bound<'_, PyAny>>) -> PyResult<RevocationEntry> {
    e.revoked_at = opt_time(revoked_at, "revoked_at")?;
    Ok(RevocationEntry { inner: e })
}

#[pymethods]
impl RevocationEntry {
    /// Revokes a key (by RFC 7638 thumbprint).
    #[staticmethod]
    #[pyo3(signature = (key, *, reason = None, revoked_at = None))]
    fn for_key(
        key: &Bound<'_, PyAny>,
        reason: Option<&Bound<'_, PyAny>>,
        revoked_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        entry_with(
            Entry::key(&vk_arg(key, "key")?, opt_text(reason, "reason")?),
            revoked_at,
        )
    }
    /// Revokes a DID.
    #[staticmethod]
    #[pyo3(signature = (did, *, reason = None, revoked_at = None))]
    fn for_did(
        did: &Bound<'_, PyAny>,
        reason: Option<&Bound<'_, PyAny>>,
        revoked_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        entry_with(
            Entry::did(text(did, "did")?, opt_text(reason, "reason")?),
            revoked_at,
        )
    }
    /// Revokes a passport id.
    #[staticmethod]
    #[pyo3(signature = (jti, *, reason = None, revoked_at = None))]
    fn for_jti(
        jti: &Bound<'_, PyAny>,
        reason: Option<&Bound<'_, PyAny>>,
        revoked_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        entry_with(
            Entry::jti(text(jti, "jti")?, opt_text(reason, "reason")?),
            revoked_at,
        )
    }
    /// ``"key"``, ``"did"`` or ``"jti"``.
    #[getter]
    fn kind(&self) -> &'static str {
        kind_str(self.inner.kind)
    }
    /// The thumbprint, DID or jti.
    #[getter]
    fn value(&self) -> &str {
        &self.inner.value
    }
    /// Why.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason.as_deref()
    }
    /// When, Unix seconds.
    #[getter]
    fn revoked_at(&self) -> Option<u64> {
        self.inner.revoked_at
    }
    fn __repr__(&self) -> String {
        format!(
            "RevocationEntry(kind='{}', value={:?}, reason={}, revoked_at={})",
            self.kind(),
            self.inner.value,
            opt_str_repr(self.inner.reason.as_deref()),
            opt_num_repr(self.inner.revoked_at)
        )
    }
}

/// Signs a revocation list as issuer ``issuer_id`` (``ttl``: seconds until ``exp``).
#[pyfunction]
#[pyo3(signature = (key, issuer_id, entries, *, now = None, ttl = None))]
pub(crate) fn issue_revocation_list(
    key: &Bound<'_, PyAny>,
    issuer_id: &Bound<'_, PyAny>,
    entries: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    ttl: Option<u64>,
) -> PyResult<String> {
    let es = each(entries, |e| {
        e.cast::<RevocationEntry>()
            .map(|e| e.get().inner.clone())
            .map_err(|_| PyTypeError::new_err("entries must be RevocationEntry objects"))
    })?;
    let signer = signer_arg(key, "key")?;
    revocation::issue_with(
        &signer,
        text(issuer_id, "issuer_id")?,
        &es,
        crate::convert::now(now)?,
        ttl,
    )
    .py()
}

/// A verified revocation list.
#[pyclass(frozen, eq, module = "mcp_attest")]
#[derive(Clone, PartialEq)]
pub(crate) struct RevocationList {
    pub(crate) inner: CoreList,
}

#[pymethods]
impl RevocationList {
    /// Verifies a revocation list under the keys of the trusted issuer it names. With
    /// ``check_time`` (default), ``iat``/``exp`` are checked against ``now``; without, only
    /// the signature and shape (for lists loaded from storage: revocations never lapse).
    #[staticmethod]
    #[pyo3(signature = (token, issuers, *, now = None, check_time = true))]
    fn verify(
        py: Python<'_>,
        token: &Bound<'_, PyAny>,
        issuers: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        check_time: bool,
    ) -> PyResult<Self> {
        let t = text(token, "token")?;
        let is = issuers_arg(Some(issuers))?;
        let when = if check_time {
            Some(crate::convert::now(now)?)
        } else {
            None
        };
        let inner = py.detach(|| CoreList::verify(t, &is, when)).py()?;
        Ok(RevocationList { inner })
    }
    /// The issuer that signed the list.
    #[getter]
    fn issuer(&self) -> &str {
        self.inner.issuer()
    }
    /// ``iat``.
    #[getter]
    fn issued_at(&self) -> u64 {
        self.inner.issued_at()
    }
    /// ``exp``, if any.
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.inner.expires_at()
    }
    /// The entries, ordered by kind and value.
    #[getter]
    fn entries(&self) -> Vec<RevocationEntry> {
        self.inner
            .entries()
            .map(|e| RevocationEntry { inner: e.clone() })
            .collect()
    }
    /// The entry revoking ``value`` of ``kind``, if any.
    fn find(&self, kind: &str, value: &Bound<'_, PyAny>) -> PyResult<Option<RevocationEntry>> {
        let k = kind_arg(kind)?;
        Ok(self
            .inner
            .find(k, text(value, "value")?)
            .map(|e| RevocationEntry { inner: e.clone() }))
    }
    /// Raises ``RevokedError`` if the list revokes ``key``.
    fn check_key(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.check_key(&vk_arg(key, "key")?).py()
    }
    /// Raises ``RevokedError`` if the list revokes ``did``.
    fn check_did(&self, did: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.check_did(text(did, "did")?).py()
    }
    /// Raises ``RevokedError`` if the list revokes passport ``jti``.
    fn check_jti(&self, jti: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.check_jti(text(jti, "jti")?).py()
    }
    fn __len__(&self) -> usize {
        self.inner.entries().count()
    }
    fn __repr__(&self) -> String {
        format!(
            "RevocationList(issuer={:?}, issued_at={}, entries={})",
            self.inner.issuer(),
            self.inner.issued_at(),
            self.inner.entries().count()
        )
    }
}
