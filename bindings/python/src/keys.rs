//! Keys, signatures, did:key, encodings and records.

use mcp_attest::did_key::{self, DidUrlFragment, DocumentFormat};
use mcp_attest::{batch, encoding, records, ErrorCode, Signature};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::convert::{bytes_like, each, json_text, opt_text, text};
use crate::error::{glue_error, CoreResult};

/// A secret Ed25519 key (the 32-byte seed). Its repr shows only the did:key; it refuses
/// pickling (``to_bytes()`` is the one explicit export).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct SigningKey {
    pub(crate) inner: mcp_attest::SigningKey,
}

/// A validated Ed25519 public key (canonical, not of small order).
#[pyclass(frozen, eq, hash, module = "mcp_attest")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct VerifyingKey {
    pub(crate) inner: mcp_attest::VerifyingKey,
}

impl VerifyingKey {
    pub(crate) fn new(inner: mcp_attest::VerifyingKey) -> Self {
        VerifyingKey { inner }
    }
}

/// A `VerifyingKey` argument.
pub(crate) fn vk_arg(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<mcp_attest::VerifyingKey> {
    match ob.cast::<VerifyingKey>() {
        Ok(k) => Ok(k.get().inner),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be a VerifyingKey, not {}",
            ob.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))),
    }
}

#[pymethods]
impl SigningKey {
    /// A fresh key from the operating system's random number generator.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        Ok(SigningKey {
            inner: mcp_attest::SigningKey::generate().py()?,
        })
    }

    /// A key from a 32-byte seed or a 64-byte seed ‖ public key (the public half must match).
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = bytes_like(data, "data")?;
        Ok(SigningKey {
            inner: mcp_attest::SigningKey::from_slice(&b).py()?,
        })
    }

    /// A key from PKCS#8 DER (v1 or v2).
    #[staticmethod]
    fn from_pkcs8_der(der: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = bytes_like(der, "der")?;
        Ok(SigningKey {
            inner: mcp_attest::SigningKey::from_pkcs8_der(&b).py()?,
        })
    }

    /// A key from PKCS#8 PEM (also the forms PEM takes in environment variables).
    #[staticmethod]
    fn from_pkcs8_pem(pem: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = text(pem, "pem")?;
        Ok(SigningKey {
            inner: mcp_attest::SigningKey::from_pkcs8_pem(t).py()?,
        })
    }

    /// A key from a private JWK (``d`` = seed), as JSON text or a mapping.
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = json_text(jwk, "jwk")?;
        Ok(SigningKey {
            inner: mcp_attest::SigningKey::from_jwk(&t).py()?,
        })
    }

    /// The 32-byte seed: the whole secret.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.to_bytes().as_ref())
    }

    /// seed ‖ public key, the 64-byte layout of NaCl, libsodium and Go.
    fn to_keypair_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.to_keypair_bytes().as_ref())
    }

    /// PKCS#8 DER: v1 (seed only, as OpenSSL writes) or v2 (with the public key).
    #[pyo3(signature = (*, v2 = false))]
    fn to_pkcs8_der<'py>(&self, py: Python<'py>, v2: bool) -> PyResult<Bound<'py, PyBytes>> {
        let der = if v2 {
            self.inner.to_pkcs8_der_v2()
        } else {
            self.inner.to_pkcs8_der()
        }
        .py()?;
        Ok(PyBytes::new(py, &der))
    }

    /// PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``), v1 or v2.
    #[pyo3(signature = (*, v2 = false))]
    fn to_pkcs8_pem(&self, v2: bool) -> PyResult<String> {
        let pem = if v2 {
            self.inner.to_pkcs8_pem_v2()
        } else {
            self.inner.to_pkcs8_pem()
        }
        .py()?;
        Ok(pem.as_str().to_owned())
    }

    /// The private JWK (crv, d, kty, x) as JSON text.
    fn to_jwk(&self) -> String {
        self.inner.to_jwk().as_str().to_owned()
    }

    /// The public key.
    fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey::new(self.inner.verifying_key())
    }

    /// The did:key of the public key.
    fn to_did_key(&self) -> String {
        self.inner.verifying_key().to_did_key()
    }

    /// Signs ``message`` (pure Ed25519, deterministic); returns the 64-byte signature.
    fn sign<'py>(
        &self,
        py: Python<'py>,
        message: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let m = bytes_like(message, "message")?;
        Ok(PyBytes::new(py, &self.inner.sign(&m).to_bytes()))
    }

    fn __repr__(&self) -> String {
        format!(
            "SigningKey(did='{}')",
            self.inner.verifying_key().to_did_key()
        )
    }

    fn __reduce__(&self) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "SigningKey cannot be pickled; export the seed explicitly with to_bytes()",
        ))
    }

    fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
        slf
    }
}

#[pymethods]
impl VerifyingKey {
    /// A public key from its 32 bytes.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = bytes_like(data, "data")?;
        Ok(Self::new(mcp_attest::VerifyingKey::from_slice(&b).py()?))
    }

    /// A public key from SubjectPublicKeyInfo DER.
    #[staticmethod]
    fn from_spki_der(der: &Bound<'_, PyAny>) -> PyResult<Self> {
        let b = bytes_like(der, "der")?;
        Ok(Self::new(mcp_attest::VerifyingKey::from_spki_der(&b).py()?))
    }

    /// A public key from SubjectPublicKeyInfo PEM (``-----BEGIN PUBLIC KEY-----``).
    #[staticmethod]
    fn from_spki_pem(pem: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::new(
            mcp_attest::VerifyingKey::from_spki_pem(text(pem, "pem")?).py()?,
        ))
    }

    /// A public key from its multibase form ``z6Mk…``.
    #[staticmethod]
    fn from_multibase(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::new(
            mcp_attest::VerifyingKey::from_multibase(crate::convert::text(text, "multibase")?)
                .py()?,
        ))
    }

    /// The key a did:key encodes (DID URLs are refused: see ``parse_did_url``).
    #[staticmethod]
    fn from_did_key(did: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self::new(
            mcp_attest::VerifyingKey::from_did_key(text(did, "did")?).py()?,
        ))
    }

    /// A public key from a public JWK, as JSON text or a mapping.
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        let t = json_text(jwk, "jwk")?;
        Ok(Self::new(mcp_attest::VerifyingKey::from_jwk(&t).py()?))
    }

    /// The 32-byte encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_bytes())
    }

    /// SubjectPublicKeyInfo DER (44 bytes).
    fn to_spki_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_spki_der())
    }

    /// SubjectPublicKeyInfo PEM.
    fn to_spki_pem(&self) -> String {
        self.inner.to_spki_pem()
    }

    /// The multibase form ``z6Mk…``.
    fn to_multibase(&self) -> String {
        self.inner.to_multibase()
    }

    /// ``did:key:z6Mk…``.
    fn to_did_key(&self) -> String {
        self.inner.to_did_key()
    }

    /// The verification-method id ``did:key:z6Mk…#z6Mk…``.
    fn to_did_key_url(&self) -> String {
        self.inner.to_did_key_url()
    }

    /// The public JWK as compact JSON text (RFC 7638 member order).
    fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The RFC 7638 JWK thumbprint (base64url).
    fn jwk_thumbprint(&self) -> String {
        self.inner.jwk_thumbprint()
    }

    /// The ext-auth key id: base64url(SHA-256(key)[:16]).
    fn kid(&self) -> String {
        self.inner.kid()
    }

    /// The ext-auth DNS fingerprint: base64url(SHA-256(key)).
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// The X25519 public key (RFC 7748 map) for key agreement.
    fn to_x25519<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_x25519())
    }

    /// The multibase form of the derived X25519 key (``z6LS…``).
    fn x25519_multibase(&self) -> String {
        did_key::x25519_multibase(&self.inner)
    }

    /// Verifies ``signature`` over ``message`` (strict); raises ``InvalidSignatureError``.
    fn verify(&self, message: &Bound<'_, PyAny>, signature: &Bound<'_, PyAny>) -> PyResult<()> {
        let m = bytes_like(message, "message")?;
        let s = bytes_like(signature, "signature")?;
        self.inner.verify_slice(&m, &s).py()
    }

    /// Verifies many ``(message, signature)`` pairs under this key, with the GIL released;
    /// returns one bool per pair, each exactly the verdict of ``verify``.
    fn verify_batch(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
        let pairs = each(items, |item| {
            let t = item.cast::<PyTuple>().map_err(|_| {
                PyTypeError::new_err("verify_batch takes (message, signature) tuples")
            })?;
            if t.len() != 2 {
                return Err(PyTypeError::new_err(
                    "verify_batch takes (message, signature) tuples",
                ));
            }
            let (m, s) = (t.get_item(0)?, t.get_item(1)?);
            let m = bytes_like(&m, "message")?.into_owned();
            let s = bytes_like(&s, "signature")?;
            // A signature that is not 64 bytes fails, as in verify().
            let sig = Signature::from_slice(&s).ok();
            Ok((m, sig))
        })?;
        let key = self.inner;
        Ok(py.detach(move || {
            let good: Vec<(usize, &[u8], &Signature)> = pairs
                .iter()
                .enumerate()
                .filter_map(|(i, (m, s))| s.as_ref().map(|s| (i, m.as_slice(), s)))
                .collect();
            let items: Vec<(&[u8], &Signature)> = good.iter().map(|&(_, m, s)| (m, s)).collect();
            let results = batch::verify_same_key(&key, &items);
            let mut out = vec![false; pairs.len()];
            for ((i, _, _), r) in good.iter().zip(results) {
                if let Some(slot) = out.get_mut(*i) {
                    *slot = r.is_ok();
                }
            }
            out
        }))
    }

    fn __repr__(&self) -> String {
        format!("VerifyingKey('{}')", self.inner.to_did_key())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.as_bytes())
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let ctor = slf.get_type().getattr("from_bytes")?;
        Ok((ctor, (PyBytes::new(py, slf.get().inner.as_bytes()),)))
    }
}

/// A parsed did:key DID URL.
#[pyclass(frozen, module = "mcp_attest", get_all)]
pub(crate) struct DidUrl {
    /// The key the DID encodes.
    key: VerifyingKey,
    /// ``"none"``, ``"verification_method"`` or ``"key_agreement"``.
    fragment: &'static str,
}

#[pymethods]
impl DidUrl {
    fn __repr__(&self) -> String {
        format!(
            "DidUrl(key={}, fragment='{}')",
            VerifyingKey::__repr__(&self.key),
            self.fragment
        )
    }
}

/// Parses a did:key DID URL (the DID, optionally ``#`` one of its own methods).
#[pyfunction]
pub(crate) fn parse_did_url(url: &Bound<'_, PyAny>) -> PyResult<DidUrl> {
    let u = did_key::parse_did_url(text(url, "url")?).py()?;
    let fragment = match u.fragment {
        DidUrlFragment::None => "none",
        DidUrlFragment::VerificationMethod => "verification_method",
        DidUrlFragment::KeyAgreement => "key_agreement",
    };
    Ok(DidUrl {
        key: VerifyingKey::new(u.key),
        fragment,
    })
}

/// The DID document of ``key`` as canonical JSON text.
#[pyfunction]
#[pyo3(signature = (key, *, format = "multikey"))]
pub(crate) fn did_document(key: &Bound<'_, PyAny>, format: &str) -> PyResult<String> {
    let k = vk_arg(key, "key")?;
    let f = match format {
        "multikey" => DocumentFormat::Multikey,
        "ed25519_verification_key_2020" => DocumentFormat::Ed25519VerificationKey2020,
        "json_web_key" => DocumentFormat::JsonWebKey,
        _ => {
            return Err(PyValueError::new_err(
                "format must be 'multikey', 'ed25519_verification_key_2020' or 'json_web_key'",
            ))
        }
    };
    Ok(did_key::document(&k, f))
}

/// Unpadded base64url.
#[pyfunction]
pub(crate) fn base64url_encode(data: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(encoding::base64url_encode(&bytes_like(data, "data")?))
}

/// Decodes strict unpadded base64url.
#[pyfunction]
pub(crate) fn base64url_decode<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &encoding::base64url_decode(crate::convert::text(text, "text")?).py()?,
    ))
}

/// base58btc (Bitcoin alphabet), no multibase prefix.
#[pyfunction]
pub(crate) fn base58_encode(data: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(encoding::base58_encode(&bytes_like(data, "data")?))
}

/// Decodes base58btc.
#[pyfunction]
pub(crate) fn base58_decode<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &encoding::base58_decode(crate::convert::text(text, "text")?).py()?,
    ))
}

/// Multibase base58btc: ``z`` + base58btc.
#[pyfunction]
pub(crate) fn multibase_encode(data: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(encoding::multibase_encode(&bytes_like(data, "data")?))
}

/// Decodes multibase base58btc (only the ``z`` prefix is accepted).
#[pyfunction]
pub(crate) fn multibase_decode<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(
        py,
        &encoding::multibase_decode(crate::convert::text(text, "text")?).py()?,
    ))
}

/// The DNS name of the ext-auth record for ``domain``: ``_mcp-identity.<domain>``.
#[pyfunction]
pub(crate) fn dns_record_name(domain: &Bound<'_, PyAny>) -> PyResult<String> {
    records::dns_record_name(text(domain, "domain")?).py()
}

/// The ext-auth DNS TXT record value for ``key``.
#[pyfunction]
#[pyo3(signature = (key, *, kid = None))]
pub(crate) fn dns_record(
    key: &Bound<'_, PyAny>,
    kid: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let k = vk_arg(key, "key")?;
    Ok(match opt_text(kid, "kid")? {
        Some(kid) => records::dns_record_with_kid(&k, kid),
        None => records::dns_record(&k),
    })
}

/// The MCP Registry proof record ``v=MCPv1; k=ed25519; p=…`` for ``key``.
#[pyfunction]
pub(crate) fn registry_record(key: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(records::registry_record(&vk_arg(key, "key")?))
}

/// A parsed ext-auth DNS record.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct DnsRecord {
    inner: records::DnsRecord,
}

#[pymethods]
impl DnsRecord {
    /// Parses a TXT record value (quoted and split forms accepted).
    #[staticmethod]
    fn parse(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(DnsRecord {
            inner: records::DnsRecord::parse(crate::convert::text(text, "text")?).py()?,
        })
    }

    /// The key id the record names.
    #[getter]
    fn kid(&self) -> &str {
        &self.inner.kid
    }

    /// base64url(SHA-256(raw public key)).
    #[getter]
    fn fp(&self) -> &str {
        &self.inner.fp
    }

    /// Checks that the record names ``key`` (and ``kid``, default the key's ext-auth kid).
    #[pyo3(signature = (key, *, kid = None))]
    fn verify(&self, key: &Bound<'_, PyAny>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let k = vk_arg(key, "key")?;
        self.inner.verify(&k, opt_text(kid, "kid")?).py()
    }

    fn __repr__(&self) -> String {
        format!(
            "DnsRecord(kid={:?}, fp={:?})",
            self.inner.kid, self.inner.fp
        )
    }
}

/// A parsed MCP Registry proof record.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct RegistryRecord {
    inner: records::RegistryRecord,
}

#[pymethods]
impl RegistryRecord {
    /// Parses a registry proof record.
    #[staticmethod]
    fn parse(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(RegistryRecord {
            inner: records::RegistryRecord::parse(crate::convert::text(text, "text")?).py()?,
        })
    }

    /// The ``k=`` algorithm.
    #[getter]
    fn algorithm(&self) -> &str {
        &self.inner.algorithm
    }

    /// The decoded ``p=`` key bytes.
    #[getter]
    fn public_key<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.public_key)
    }

    /// The Ed25519 key the record publishes.
    fn verifying_key(&self) -> PyResult<VerifyingKey> {
        Ok(VerifyingKey::new(self.inner.verifying_key().py()?))
    }

    /// Checks that the record publishes ``key``.
    fn verify(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.verify(&vk_arg(key, "key")?).py()
    }

    fn __repr__(&self) -> String {
        format!(
            "RegistryRecord(algorithm={:?}, public_key=<{} bytes>)",
            self.inner.algorithm,
            self.inner.public_key.len()
        )
    }
}

/// Random bytes from the operating system (for challenges).
pub(crate) fn random_bytes<const N: usize>() -> PyResult<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|_| {
        glue_error(
            ErrorCode::InvalidKey,
            "the operating system's random number generator failed",
        )
    })?;
    Ok(out)
}

/// A signing key argument: an in-memory [`SigningKey`], or any Python object with
/// ``public_key`` (a ``VerifyingKey``, 32 bytes or a did:key) and ``sign(data: bytes) ->
/// bytes`` (a key in a KMS, an HSM or the OS keychain). `Send`, so the GIL can be released
/// around the core and a `ServerPresentation` can keep one; a host signer re-takes the GIL
/// for each call.
pub(crate) enum PySigner {
    Local(Py<SigningKey>),
    Host {
        public: mcp_attest::VerifyingKey,
        object: Py<PyAny>,
    },
}

/// The `key` argument of every signing function.
pub(crate) fn signer_arg(ob: &Bound<'_, PyAny>, what: &str) -> PyResult<PySigner> {
    if let Ok(k) = ob.cast::<SigningKey>() {
        return Ok(PySigner::Local(k.clone().unbind()));
    }
    let has = |name: &str| ob.hasattr(name).unwrap_or(false);
    if !(has("sign") && has("public_key")) {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a SigningKey or a signer (an object with public_key and \
             sign(data) -> bytes), not {}",
            ob.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        )));
    }
    let pk = ob.getattr("public_key")?;
    let public = if let Ok(v) = pk.cast::<VerifyingKey>() {
        v.get().inner
    } else if let Ok(s) = pk.cast::<pyo3::types::PyString>() {
        mcp_attest::VerifyingKey::from_did_key(s.to_str()?).py()?
    } else {
        let b = bytes_like(&pk, "public_key").map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}.public_key must be a VerifyingKey, 32 bytes or a did:key"
            ))
        })?;
        mcp_attest::VerifyingKey::from_slice(&b).py()?
    };
    Ok(PySigner::Host {
        public,
        object: ob.clone().unbind(),
    })
}

impl mcp_attest::Signer for PySigner {
    fn verifying_key(&self) -> mcp_attest::VerifyingKey {
        match self {
            PySigner::Local(k) => k.get().inner.verifying_key(),
            PySigner::Host { public, .. } => *public,
        }
    }

    fn try_sign(&self, message: &[u8]) -> Result<Signature, mcp_attest::Error> {
        match self {
            PySigner::Local(k) => Ok(k.get().inner.sign(message)),
            PySigner::Host { object, .. } => Python::attach(|py| {
                let failed =
                    |why: String| mcp_attest::Error::with_message(ErrorCode::SignerFailed, why);
                let out = object
                    .bind(py)
                    .call_method1("sign", (PyBytes::new(py, message),))
                    .map_err(|e| {
                        let name = e
                            .get_type(py)
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default();
                        let text: String = e.value(py).to_string().chars().take(200).collect();
                        failed(format!("the signer's sign() raised {name}: {text}"))
                    })?;
                let bytes = bytes_like(&out, "signature").map_err(|_| {
                    failed(String::from("the signer's sign() did not return bytes"))
                })?;
                Signature::from_slice(&bytes).map_err(|_| {
                    failed(format!(
                        "the signer's sign() returned {} bytes, not a 64-byte Ed25519 signature",
                        bytes.len()
                    ))
                })
            }),
        }
    }

    fn as_signing_key(&self) -> Option<&mcp_attest::SigningKey> {
        match self {
            PySigner::Local(k) => Some(&k.get().inner),
            PySigner::Host { .. } => None,
        }
    }
}
