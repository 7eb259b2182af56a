//! The exports. Names are snake_case here and camelCase in JS (`js_name`); see `ts/` for docs.

use mcp_attest::challenge::{
    self, AdmittedChallenge, ChallengeRequest, ChallengeResponder, ChallengeResponse,
};
use mcp_attest::did_key::{self, DidUrlFragment, DocumentFormat};
use mcp_attest::identity::{self, PublisherDetails};
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::json::{self, Number, Object, Value};
use mcp_attest::passport::{self, McpInfo};
use mcp_attest::records::{self, DnsRecord, RegistryRecord};
use mcp_attest::revocation::{self, Entry, EntryKind, RevocationList};
use mcp_attest::trust::{PinStatus, TrustStore};
use mcp_attest::{
    encoding, jws, time, tool, Error, ErrorCode, Signature, Signer, SigningKey, VerifyingKey,
};
use wasm_bindgen::prelude::*;

use crate::error::{err, js, JsResult};

// ---------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------

/// Unix seconds from a JS number (the TS layer passes `Math.floor(date.getTime() / 1000)`).
pub(crate) fn secs(t: f64) -> JsResult<u64> {
    if t.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&t) {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::as_conversions
        )]
        Ok(t.floor() as u64)
    } else {
        Err(err(
            ErrorCode::InvalidTimestamp,
            "a time must be a date between 1970 and 2^53 seconds",
        ))
    }
}

fn opt_secs(t: Option<f64>) -> JsResult<Option<u64>> {
    t.map(secs).transpose()
}

#[allow(clippy::cast_precision_loss, clippy::as_conversions)]
fn num(n: u64) -> f64 {
    n as f64
}

fn obj_json(o: Object) -> String {
    Value::Object(o).to_jcs()
}

fn opt_str(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::from)
}

fn opt_u64(v: Option<u64>) -> Value {
    v.map_or(Value::Null, Value::from_u64)
}

fn parse_json(text: &str) -> JsResult<Value> {
    js(json::parse(text))
}

fn keys_from_bytes(bytes: &[u8]) -> JsResult<Vec<VerifyingKey>> {
    if !bytes.len().is_multiple_of(32) {
        return Err(err(
            ErrorCode::InvalidKeyLength,
            "public keys are 32 bytes each",
        ));
    }
    bytes
        .chunks(32)
        .map(|c| js(VerifyingKey::from_slice(c)))
        .collect()
}

fn document_format(format: u8) -> DocumentFormat {
    match format {
        1 => DocumentFormat::Ed25519VerificationKey2020,
        2 => DocumentFormat::JsonWebKey,
        _ => DocumentFormat::Multikey,
    }
}

/// Every error code of the core, in declaration order (for the parity test).
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| String::from(c.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

/// The key of every signing export: the secret in wasm memory, or a JS signer (a key in a
/// KMS, an HSM or a keychain) called synchronously, whose signatures the core checks.
// One per JS key object, never in a collection: boxing the larger variant would buy nothing.
#[cfg(feature = "full")]
#[allow(clippy::large_enum_variant)]
pub(crate) enum KeyInner {
    Local(SigningKey),
    Host(HostSigner),
}

#[cfg(feature = "full")]
/// A JS `sign(data: Uint8Array) => Uint8Array` with its public key.
#[derive(Clone)]
pub(crate) struct HostSigner {
    public: VerifyingKey,
    sign: js_sys::Function,
}

#[cfg(feature = "full")]
impl KeyInner {
    pub(crate) fn verifying_key(&self) -> VerifyingKey {
        match self {
            KeyInner::Local(k) => k.verifying_key(),
            KeyInner::Host(h) => h.public,
        }
    }
    /// An owned copy, for a presentation that outlives the JS object.
    pub(crate) fn duplicate(&self) -> KeyInner {
        match self {
            KeyInner::Local(k) => KeyInner::Local(SigningKey::from_bytes(&k.to_bytes())),
            KeyInner::Host(h) => KeyInner::Host(h.clone()),
        }
    }
}

#[cfg(feature = "full")]
impl Signer for KeyInner {
    fn verifying_key(&self) -> VerifyingKey {
        KeyInner::verifying_key(self)
    }
    fn try_sign(&self, message: &[u8]) -> mcp_attest::Result<Signature> {
        match self {
            KeyInner::Local(k) => Ok(k.sign(message)),
            KeyInner::Host(h) => h.try_sign(message),
        }
    }
    fn as_signing_key(&self) -> Option<&SigningKey> {
        match self {
            KeyInner::Local(k) => Some(k),
            KeyInner::Host(_) => None,
        }
    }
}

#[cfg(feature = "full")]
impl HostSigner {
    fn try_sign(&self, message: &[u8]) -> mcp_attest::Result<Signature> {
        let failed = |why: String| Error::with_message(ErrorCode::SignerFailed, why);
        let data = js_sys::Uint8Array::from(message);
        let out = self.sign.call1(&JsValue::NULL, &data).map_err(|e| {
            let text = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .or_else(|| e.as_string())
                .unwrap_or_default();
            let text: String = text.chars().take(200).collect();
            failed(format!("the signer's sign() threw: {text}"))
        })?;
        let bytes = out
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| {
                failed(String::from(
                    "the signer's sign() did not return a Uint8Array",
                ))
            })?
            .to_vec();
        Signature::from_slice(&bytes).map_err(|_| {
            failed(format!(
                "the signer's sign() returned {} bytes, not a 64-byte Ed25519 signature",
                bytes.len()
            ))
        })
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen]
pub struct WasmSigningKey(pub(crate) KeyInner);

#[cfg(feature = "full")]
impl WasmSigningKey {
    fn local(&self) -> JsResult<&SigningKey> {
        match &self.0 {
            KeyInner::Local(k) => Ok(k),
            KeyInner::Host(_) => Err(err(
                ErrorCode::KeyUnavailable,
                "this key is held by a signer and cannot be exported",
            )),
        }
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmSigningKey {
    /// 32-byte seed or 64-byte seed‖public.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> JsResult<WasmSigningKey> {
        js(SigningKey::from_slice(bytes)).map(|k| WasmSigningKey(KeyInner::Local(k)))
    }
    #[wasm_bindgen(js_name = fromPkcs8Der)]
    pub fn from_pkcs8_der(der: &[u8]) -> JsResult<WasmSigningKey> {
        js(SigningKey::from_pkcs8_der(der)).map(|k| WasmSigningKey(KeyInner::Local(k)))
    }
    #[wasm_bindgen(js_name = fromPkcs8Pem)]
    pub fn from_pkcs8_pem(pem: &str) -> JsResult<WasmSigningKey> {
        js(SigningKey::from_pkcs8_pem(pem)).map(|k| WasmSigningKey(KeyInner::Local(k)))
    }
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: &str) -> JsResult<WasmSigningKey> {
        js(SigningKey::from_jwk(jwk)).map(|k| WasmSigningKey(KeyInner::Local(k)))
    }
    /// A signer: its 32-byte public key and a synchronous `sign(data) => Uint8Array`.
    #[wasm_bindgen(js_name = fromSigner)]
    pub fn from_signer(public_key: &[u8], sign: js_sys::Function) -> JsResult<WasmSigningKey> {
        let public = js(VerifyingKey::from_slice(public_key))?;
        Ok(WasmSigningKey(KeyInner::Host(HostSigner { public, sign })))
    }
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> JsResult<Vec<u8>> {
        Ok(self.local()?.to_bytes().to_vec())
    }
    #[wasm_bindgen(js_name = toKeypairBytes)]
    pub fn to_keypair_bytes(&self) -> JsResult<Vec<u8>> {
        Ok(self.local()?.to_keypair_bytes().to_vec())
    }
    #[wasm_bindgen(js_name = toPkcs8Der)]
    pub fn to_pkcs8_der(&self, v2: bool) -> JsResult<Vec<u8>> {
        let k = self.local()?;
        let der = if v2 {
            k.to_pkcs8_der_v2()
        } else {
            k.to_pkcs8_der()
        };
        js(der).map(|d| d.to_vec())
    }
    #[wasm_bindgen(js_name = toPkcs8Pem)]
    pub fn to_pkcs8_pem(&self, v2: bool) -> JsResult<String> {
        let k = self.local()?;
        let pem = if v2 {
            k.to_pkcs8_pem_v2()
        } else {
            k.to_pkcs8_pem()
        };
        js(pem).map(|p| String::from(p.as_str()))
    }
    #[wasm_bindgen(js_name = toJwk)]
    pub fn to_jwk(&self) -> JsResult<String> {
        Ok(String::from(self.local()?.to_jwk().as_str()))
    }
    #[wasm_bindgen(js_name = verifyingKey)]
    pub fn verifying_key(&self) -> WasmVerifyingKey {
        WasmVerifyingKey(self.0.verifying_key())
    }
    pub fn sign(&self, message: &[u8]) -> JsResult<Vec<u8>> {
        js(mcp_attest::signer::sign_checked(&self.0, message)).map(|s| s.to_bytes().to_vec())
    }
}

#[wasm_bindgen]
pub struct WasmVerifyingKey(pub(crate) VerifyingKey);

#[wasm_bindgen]
impl WasmVerifyingKey {
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_slice(bytes)).map(WasmVerifyingKey)
    }
    #[wasm_bindgen(js_name = fromSpkiDer)]
    pub fn from_spki_der(der: &[u8]) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_spki_der(der)).map(WasmVerifyingKey)
    }
    #[wasm_bindgen(js_name = fromSpkiPem)]
    pub fn from_spki_pem(pem: &str) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_spki_pem(pem)).map(WasmVerifyingKey)
    }
    #[wasm_bindgen(js_name = fromMultibase)]
    pub fn from_multibase(text: &str) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_multibase(text)).map(WasmVerifyingKey)
    }
    #[wasm_bindgen(js_name = fromDidKey)]
    pub fn from_did_key(did: &str) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_did_key(did)).map(WasmVerifyingKey)
    }
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: &str) -> JsResult<WasmVerifyingKey> {
        js(VerifyingKey::from_jwk(jwk)).map(WasmVerifyingKey)
    }
    /// A copy, for the arguments wasm-bindgen takes by value (which consumes the JS object):
    /// the key stays decompressed and validated, where a copy through `toBytes`/`fromBytes`
    /// would decompress and validate it again on every call.
    pub fn copy(&self) -> WasmVerifyingKey {
        WasmVerifyingKey(self.0)
    }
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }
    #[wasm_bindgen(js_name = toSpkiDer)]
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.0.to_spki_der()
    }
    #[wasm_bindgen(js_name = toSpkiPem)]
    pub fn to_spki_pem(&self) -> String {
        self.0.to_spki_pem()
    }
    #[wasm_bindgen(js_name = toMultibase)]
    pub fn to_multibase(&self) -> String {
        self.0.to_multibase()
    }
    #[wasm_bindgen(js_name = toDidKey)]
    pub fn to_did_key(&self) -> String {
        self.0.to_did_key()
    }
    #[wasm_bindgen(js_name = toDidKeyUrl)]
    pub fn to_did_key_url(&self) -> String {
        self.0.to_did_key_url()
    }
    /// The RFC 7638 canonical public JWK, or with `kid` a JWK carrying it.
    #[wasm_bindgen(js_name = toJwk)]
    pub fn to_jwk(&self, kid: Option<String>) -> String {
        match kid {
            None => self.0.to_jwk(),
            Some(k) => self.0.to_jwk_value(Some(&k)).to_jcs(),
        }
    }
    #[wasm_bindgen(js_name = jwkThumbprint)]
    pub fn jwk_thumbprint(&self) -> String {
        self.0.jwk_thumbprint()
    }
    pub fn kid(&self) -> String {
        self.0.kid()
    }
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }
    #[wasm_bindgen(js_name = toX25519)]
    pub fn to_x25519(&self) -> Vec<u8> {
        self.0.to_x25519().to_vec()
    }
    #[wasm_bindgen(js_name = x25519Multibase)]
    pub fn x25519_multibase(&self) -> String {
        did_key::x25519_multibase(&self.0)
    }
    /// 0 Multikey, 1 Ed25519VerificationKey2020, 2 JsonWebKey.
    #[wasm_bindgen(js_name = didDocument)]
    pub fn did_document(&self, format: u8) -> String {
        did_key::document(&self.0, document_format(format))
    }
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> JsResult<()> {
        js(self.0.verify_slice(message, signature))
    }
    pub fn equals(&self, other: &WasmVerifyingKey) -> bool {
        self.0 == other.0
    }
    #[wasm_bindgen(js_name = dnsRecord)]
    pub fn dns_record(&self, kid: Option<String>) -> String {
        match kid {
            None => records::dns_record(&self.0),
            Some(k) => records::dns_record_with_kid(&self.0, &k),
        }
    }
    #[wasm_bindgen(js_name = registryRecord)]
    pub fn registry_record(&self) -> String {
        records::registry_record(&self.0)
    }
    /// `served_jwk`: the public JWK with `kid` and `use: "sig"` (identity documents).
    #[wasm_bindgen(js_name = servedJwk)]
    pub fn served_jwk(&self, kid: &str) -> String {
        identity::served_jwk(&self.0, kid).to_jcs()
    }
}

#[wasm_bindgen(js_name = signatureFromBase64url)]
pub fn signature_from_base64url(text: &str) -> JsResult<Vec<u8>> {
    js(Signature::from_base64url(text)).map(|s| s.to_bytes().to_vec())
}

#[wasm_bindgen(js_name = signatureToBase64url)]
pub fn signature_to_base64url(bytes: &[u8]) -> JsResult<String> {
    js(Signature::from_slice(bytes)).map(|s| s.to_base64url())
}

// ---------------------------------------------------------------------------------------
// Encodings, JSON, time
// ---------------------------------------------------------------------------------------

#[wasm_bindgen(js_name = base64urlEncode)]
pub fn base64url_encode(bytes: &[u8]) -> String {
    encoding::base64url_encode(bytes)
}
#[wasm_bindgen(js_name = base64urlDecode)]
pub fn base64url_decode(text: &str) -> JsResult<Vec<u8>> {
    js(encoding::base64url_decode(text))
}
#[wasm_bindgen(js_name = base64Encode)]
pub fn base64_encode(bytes: &[u8]) -> String {
    encoding::base64_encode(bytes)
}
#[wasm_bindgen(js_name = base64Decode)]
pub fn base64_decode(text: &str) -> JsResult<Vec<u8>> {
    js(encoding::base64_decode(text))
}
#[wasm_bindgen(js_name = base58Encode)]
pub fn base58_encode(bytes: &[u8]) -> String {
    encoding::base58_encode(bytes)
}
#[wasm_bindgen(js_name = base58Decode)]
pub fn base58_decode(text: &str) -> JsResult<Vec<u8>> {
    js(encoding::base58_decode(text))
}
#[wasm_bindgen(js_name = multibaseEncode)]
pub fn multibase_encode(bytes: &[u8]) -> String {
    encoding::multibase_encode(bytes)
}
#[wasm_bindgen(js_name = multibaseDecode)]
pub fn multibase_decode(text: &str) -> JsResult<Vec<u8>> {
    js(encoding::multibase_decode(text))
}
#[wasm_bindgen(js_name = hexEncode)]
pub fn hex_encode(bytes: &[u8]) -> String {
    encoding::hex_encode(bytes)
}
#[wasm_bindgen(js_name = hexDecode)]
pub fn hex_decode(text: &str) -> JsResult<Vec<u8>> {
    js(encoding::hex_decode(text))
}

/// RFC 8785 canonical form of JSON text.
#[wasm_bindgen]
pub fn canonicalize(text: &str) -> JsResult<String> {
    js(json::canonicalize(text))
}

/// The JCS (ECMAScript) serialisation of one number.
#[wasm_bindgen(js_name = canonicalizeNumber)]
pub fn canonicalize_number(n: f64) -> JsResult<String> {
    js(Number::from_f64(n)).map(|n| Value::Number(n).to_jcs())
}

#[wasm_bindgen(js_name = formatRfc3339)]
pub fn format_rfc3339(t: f64) -> JsResult<String> {
    Ok(time::format_rfc3339(secs(t)?))
}

#[wasm_bindgen(js_name = parseRfc3339)]
pub fn parse_rfc3339(text: &str) -> JsResult<f64> {
    js(time::parse_rfc3339(text)).map(num)
}

// ---------------------------------------------------------------------------------------
// did:key URLs and records
// ---------------------------------------------------------------------------------------

/// `{"did": …, "fragment": "none" | "verification_method" | "key_agreement"}`.
#[wasm_bindgen(js_name = parseDidUrl)]
pub fn parse_did_url(url: &str) -> JsResult<String> {
    let u = js(did_key::parse_did_url(url))?;
    let fragment = match u.fragment {
        DidUrlFragment::None => "none",
        DidUrlFragment::VerificationMethod => "verification_method",
        DidUrlFragment::KeyAgreement => "key_agreement",
    };
    let mut o = Object::new();
    o.insert("did", Value::from(u.key.to_did_key()));
    o.insert("fragment", Value::from(fragment));
    Ok(obj_json(o))
}

#[wasm_bindgen(js_name = dnsRecordName)]
pub fn dns_record_name(domain: &str) -> JsResult<String> {
    js(records::dns_record_name(domain))
}

/// `{"kid": …, "fp": …}`.
#[wasm_bindgen(js_name = parseDnsRecord)]
pub fn parse_dns_record(text: &str) -> JsResult<String> {
    let r = js(DnsRecord::parse(text))?;
    let mut o = Object::new();
    o.insert("kid", Value::from(r.kid));
    o.insert("fp", Value::from(r.fp));
    Ok(obj_json(o))
}

#[wasm_bindgen(js_name = verifyDnsRecord)]
pub fn verify_dns_record(text: &str, key: &WasmVerifyingKey, kid: Option<String>) -> JsResult<()> {
    js(DnsRecord::parse(text).and_then(|r| r.verify(&key.0, kid.as_deref())))
}

/// `{"algorithm": …, "publicKeyHex": …}`.
#[wasm_bindgen(js_name = parseRegistryRecord)]
pub fn parse_registry_record(text: &str) -> JsResult<String> {
    let r = js(RegistryRecord::parse(text))?;
    let mut o = Object::new();
    o.insert("algorithm", Value::from(r.algorithm.as_str()));
    o.insert(
        "publicKeyHex",
        Value::from(encoding::hex_encode(&r.public_key)),
    );
    Ok(obj_json(o))
}

#[wasm_bindgen(js_name = registryRecordKey)]
pub fn registry_record_key(text: &str) -> JsResult<WasmVerifyingKey> {
    js(RegistryRecord::parse(text).and_then(|r| r.verifying_key())).map(WasmVerifyingKey)
}

#[wasm_bindgen(js_name = verifyRegistryRecord)]
pub fn verify_registry_record(text: &str, key: &WasmVerifyingKey) -> JsResult<()> {
    js(RegistryRecord::parse(text).and_then(|r| r.verify(&key.0)))
}

// ---------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------

#[wasm_bindgen(js_name = extAuthSigningInput)]
pub fn ext_auth_signing_input(tool_json: &str) -> JsResult<String> {
    js(tool::ext_auth_signing_input(&parse_json(tool_json)?))
}

#[wasm_bindgen(js_name = contentHash)]
pub fn content_hash(tool_json: &str) -> JsResult<String> {
    js(tool::content_hash(&parse_json(tool_json)?))
}

/// `tools_json`: a JSON array of tool definitions.
#[wasm_bindgen(js_name = toolsHash)]
pub fn tools_hash(tools_json: &str) -> JsResult<String> {
    match parse_json(tools_json)? {
        Value::Array(tools) => js(tool::tools_hash(&tools)),
        _ => Err(err(
            ErrorCode::MalformedToolDefinition,
            "tools must be an array of tool definitions",
        )),
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = signTool)]
pub fn sign_tool(
    key: &WasmSigningKey,
    tool_json: &str,
    kid: Option<String>,
    signed_at: f64,
) -> JsResult<String> {
    let kid = kid.unwrap_or_else(|| key.0.verifying_key().kid());
    let at = time::format_rfc3339(secs(signed_at)?);
    js(tool::sign_tool(&key.0, &parse_json(tool_json)?, &kid, &at)).map(|v| v.to_jcs())
}

#[wasm_bindgen(js_name = verifyTool)]
pub fn verify_tool(tool_json: &str, key: &WasmVerifyingKey, kid: Option<String>) -> JsResult<()> {
    js(tool::verify_tool(
        &parse_json(tool_json)?,
        &key.0,
        kid.as_deref(),
    ))
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = signToolsList)]
pub fn sign_tools_list(
    key: &WasmSigningKey,
    result_json: &str,
    now: f64,
    ttl: Option<f64>,
    audience: Option<String>,
    kid: Option<String>,
) -> JsResult<String> {
    let options = tool::SignOptions {
        now: secs(now)?,
        ttl: opt_secs(ttl)?.unwrap_or(tool::DEFAULT_MANIFEST_TTL),
        audience: audience.as_deref(),
        kid: kid.as_deref(),
    };
    js(tool::sign_tools_list(&key.0, result_json, &options))
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = buildManifest)]
pub fn build_manifest(
    key: &WasmSigningKey,
    tools_json: &str,
    now: f64,
    ttl: Option<f64>,
    audience: Option<String>,
) -> JsResult<String> {
    let options = tool::SignOptions {
        now: secs(now)?,
        ttl: opt_secs(ttl)?.unwrap_or(tool::DEFAULT_MANIFEST_TTL),
        audience: audience.as_deref(),
        kid: None,
    };
    match parse_json(tools_json)? {
        Value::Array(tools) => js(tool::build_manifest(&key.0, &tools, &options)),
        _ => Err(err(
            ErrorCode::MalformedToolDefinition,
            "tools must be an array of tool definitions",
        )),
    }
}

/// The report as the core's `ToolsReport::to_json`.
#[wasm_bindgen(js_name = verifyToolsList)]
#[allow(clippy::too_many_arguments)]
pub fn verify_tools_list(
    result_json: &[u8],
    key: &WasmVerifyingKey,
    now: f64,
    leeway: Option<f64>,
    audience: Option<String>,
    kid: Option<String>,
    require_manifest: Option<bool>,
    always_check_tool_signatures: bool,
    max_bytes: Option<f64>,
) -> JsResult<String> {
    verify_list(
        result_json,
        key,
        now,
        leeway,
        audience,
        kid,
        require_manifest,
        always_check_tool_signatures,
        max_bytes,
        &[],
    )
}

/// [`verify_tools_list`] consulting `revocations` (from a `WasmVerifier`).
#[allow(clippy::too_many_arguments)]
fn verify_list(
    result_json: &[u8],
    key: &WasmVerifyingKey,
    now: f64,
    leeway: Option<f64>,
    audience: Option<String>,
    kid: Option<String>,
    require_manifest: Option<bool>,
    always_check_tool_signatures: bool,
    max_bytes: Option<f64>,
    revocations: &[RevocationList],
) -> JsResult<String> {
    let defaults = tool::VerifyOptions::default();
    let max_bytes = match opt_secs(max_bytes)? {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => defaults.max_bytes,
    };
    let options = tool::VerifyOptions {
        now: secs(now)?,
        leeway: opt_secs(leeway)?.unwrap_or(defaults.leeway),
        audience: audience.as_deref(),
        kid: kid.as_deref(),
        require_manifest: require_manifest.unwrap_or(defaults.require_manifest),
        tool_signatures: if always_check_tool_signatures {
            tool::ToolSignatures::Always
        } else {
            tool::ToolSignatures::IfNoManifest
        },
        max_bytes,
        revocations,
    };
    // UTF-8 bytes rather than a string: wasm-bindgen copies a string in a JS loop a character
    // at a time, bytes in one copy (0.25 ms of a 100-tool list's verification).
    let Ok(text) = core::str::from_utf8(result_json) else {
        return Err(err(
            ErrorCode::InvalidJson,
            "the tools/list result is not UTF-8 text",
        ));
    };
    js(tool::verify_tools_list(text, &key.0, &options)).map(|r| r.to_json())
}

// ---------------------------------------------------------------------------------------
// JWS
// ---------------------------------------------------------------------------------------

fn verified_json(header: Object, claims: Object) -> String {
    let mut o = Object::new();
    o.insert("header", Value::Object(header));
    o.insert("claims", Value::Object(claims));
    obj_json(o)
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = jwsSign)]
pub fn jws_sign(
    key: &WasmSigningKey,
    claims_json: &str,
    typ: Option<String>,
    kid: Option<String>,
) -> JsResult<String> {
    match parse_json(claims_json)? {
        Value::Object(claims) => js(jws::sign_with(
            &key.0,
            typ.as_deref(),
            kid.as_deref(),
            &claims,
        )),
        _ => Err(err(
            ErrorCode::InvalidClaim,
            "JWS claims must be a JSON object",
        )),
    }
}

/// `{"header": …, "claims": …}` without verifying anything (parse step only).
#[wasm_bindgen(js_name = jwsDecode)]
pub fn jws_decode(token: &str) -> JsResult<String> {
    let p = js(jws::parse(token, jws::MAX_TOKEN_BYTES))?;
    Ok(verified_json(
        p.header().clone(),
        p.unverified_claims().clone(),
    ))
}

#[wasm_bindgen(js_name = jwsVerify)]
#[allow(clippy::too_many_arguments)]
pub fn jws_verify(
    token: &str,
    key: &WasmVerifyingKey,
    now: f64,
    leeway: Option<f64>,
    audience: Option<String>,
    require_exp: bool,
    max_lifetime: Option<f64>,
    typ: Option<String>,
) -> JsResult<String> {
    let rules = jws::ClaimRules {
        now: secs(now)?,
        leeway: opt_secs(leeway)?.unwrap_or(jws::DEFAULT_LEEWAY),
        audience: audience.as_deref(),
        require_exp,
        max_lifetime: opt_secs(max_lifetime)?,
    };
    let parsed = js(jws::parse(token, jws::MAX_TOKEN_BYTES))?;
    if let Some(t) = typ.as_deref() {
        js(parsed.expect_typ(t))?;
    }
    let v = js(parsed.verify(&key.0))?;
    js(jws::check_claims(&v.claims, &rules))?;
    Ok(verified_json(v.header, v.claims))
}

// ---------------------------------------------------------------------------------------
// Issuers, passports, revocation lists
// ---------------------------------------------------------------------------------------

#[wasm_bindgen]
pub struct WasmTrustedIssuer(TrustedIssuer);

#[wasm_bindgen]
impl WasmTrustedIssuer {
    #[wasm_bindgen(constructor)]
    pub fn new(id: &str, key: &WasmVerifyingKey) -> WasmTrustedIssuer {
        WasmTrustedIssuer(TrustedIssuer::new(id, key.0))
    }
    #[wasm_bindgen(js_name = fromDidKey)]
    pub fn from_did_key(did: &str) -> JsResult<WasmTrustedIssuer> {
        js(TrustedIssuer::from_did_key(did)).map(WasmTrustedIssuer)
    }
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(id: &str, jwks: &str) -> JsResult<WasmTrustedIssuer> {
        js(TrustedIssuer::from_jwks(id, jwks)).map(WasmTrustedIssuer)
    }
    #[wasm_bindgen(js_name = addKey)]
    pub fn add_key(&mut self, kid: Option<String>, key: &WasmVerifyingKey) {
        self.0.add_key(kid.as_deref(), key.0);
    }
    pub fn id(&self) -> String {
        String::from(self.0.id())
    }
    #[wasm_bindgen(js_name = maxLevel)]
    pub fn max_level(&self) -> u8 {
        self.0.max_level()
    }
    #[wasm_bindgen(js_name = withMaxLevel)]
    pub fn with_max_level(&self, level: u8) -> WasmTrustedIssuer {
        WasmTrustedIssuer(self.0.clone().with_max_level(level))
    }
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_value().to_jcs()
    }
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> JsResult<WasmTrustedIssuer> {
        js(TrustedIssuer::from_value(&parse_json(text)?)).map(WasmTrustedIssuer)
    }
}

#[wasm_bindgen]
pub struct WasmRevocationList(RevocationList);

fn entry_json(e: &Entry) -> Value {
    let mut o = Object::new();
    o.insert("type", Value::from(e.kind.as_str()));
    o.insert("value", Value::from(e.value.as_str()));
    o.insert("reason", opt_str(e.reason.as_deref()));
    o.insert("revokedAt", opt_u64(e.revoked_at));
    Value::Object(o)
}

#[wasm_bindgen]
impl WasmRevocationList {
    /// `{"issuer", "issuedAt", "expiresAt", "entries": [...]}`.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        let mut o = Object::new();
        o.insert("issuer", Value::from(self.0.issuer()));
        o.insert("issuedAt", Value::from_u64(self.0.issued_at()));
        o.insert("expiresAt", opt_u64(self.0.expires_at()));
        o.insert(
            "entries",
            Value::Array(self.0.entries().map(entry_json).collect()),
        );
        obj_json(o)
    }
    #[wasm_bindgen(js_name = checkKey)]
    pub fn check_key(&self, key: &WasmVerifyingKey) -> JsResult<()> {
        js(self.0.check_key(&key.0))
    }
    #[wasm_bindgen(js_name = checkDid)]
    pub fn check_did(&self, did: &str) -> JsResult<()> {
        js(self.0.check_did(did))
    }
    #[wasm_bindgen(js_name = checkJti)]
    pub fn check_jti(&self, jti: &str) -> JsResult<()> {
        js(self.0.check_jti(jti))
    }
}

#[cfg(feature = "full")]
/// Entries collected before signing a revocation list.
#[wasm_bindgen]
#[derive(Default)]
pub struct WasmRevocationBuilder(Vec<Entry>);

#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmRevocationBuilder {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmRevocationBuilder {
        WasmRevocationBuilder::default()
    }
    /// `kind`: "key" (value = a VerifyingKey's JWK thumbprint), "did" or "jti".
    pub fn add(
        &mut self,
        kind: &str,
        value: &str,
        reason: Option<String>,
        revoked_at: Option<f64>,
    ) -> JsResult<()> {
        let kind = match kind {
            "key" => EntryKind::Key,
            "did" => EntryKind::Did,
            "jti" => EntryKind::Jti,
            _ => {
                return Err(err(
                    ErrorCode::MalformedToken,
                    "a revocation entry is of type key, did or jti",
                ))
            }
        };
        self.0.push(Entry {
            kind,
            value: String::from(value),
            reason,
            revoked_at: opt_secs(revoked_at)?,
        });
        Ok(())
    }
    pub fn issue(
        &self,
        key: &WasmSigningKey,
        issuer_id: &str,
        now: f64,
        ttl: Option<f64>,
    ) -> JsResult<String> {
        js(revocation::issue_with(
            &key.0,
            issuer_id,
            &self.0,
            secs(now)?,
            opt_secs(ttl)?,
        ))
    }
}

/// Trusted issuers and revocation lists a verifier consults.
#[wasm_bindgen]
#[derive(Default)]
pub struct WasmVerifier {
    issuers: Vec<TrustedIssuer>,
    revocations: Vec<RevocationList>,
}

#[wasm_bindgen]
impl WasmVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmVerifier {
        WasmVerifier::default()
    }
    #[wasm_bindgen(js_name = addIssuer)]
    pub fn add_issuer(&mut self, issuer: &WasmTrustedIssuer) {
        self.issuers.push(issuer.0.clone());
    }
    #[wasm_bindgen(js_name = addRevocationList)]
    pub fn add_revocation_list(&mut self, list: &WasmRevocationList) {
        self.revocations.push(list.0.clone());
    }
    /// Verifies a revocation list under this verifier's issuers (`now`: none = no time check).
    #[wasm_bindgen(js_name = verifyRevocationList)]
    pub fn verify_revocation_list(
        &self,
        token: &str,
        now: Option<f64>,
    ) -> JsResult<WasmRevocationList> {
        js(RevocationList::verify(token, &self.issuers, opt_secs(now)?)).map(WasmRevocationList)
    }
    /// `verifyToolsList` consulting this verifier's revocation lists.
    #[wasm_bindgen(js_name = verifyToolsList)]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_tools_list(
        &self,
        result_json: &[u8],
        key: &WasmVerifyingKey,
        now: f64,
        leeway: Option<f64>,
        audience: Option<String>,
        kid: Option<String>,
        require_manifest: Option<bool>,
        always_check_tool_signatures: bool,
        max_bytes: Option<f64>,
    ) -> JsResult<String> {
        verify_list(
            result_json,
            key,
            now,
            leeway,
            audience,
            kid,
            require_manifest,
            always_check_tool_signatures,
            max_bytes,
            &self.revocations,
        )
    }
    /// The verified passport as JSON (see `passport_json`).
    #[wasm_bindgen(js_name = verifyPassport)]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_passport(
        &self,
        token: &str,
        now: f64,
        leeway: Option<f64>,
        audience: Option<String>,
        allow_self_issued: Option<bool>,
        max_age: Option<f64>,
        max_lifetime: Option<f64>,
        subject: Option<WasmVerifyingKey>,
    ) -> JsResult<String> {
        let subject = subject.map(|s| s.0);
        let options = passport::VerifyOptions {
            now: secs(now)?,
            leeway: opt_secs(leeway)?.unwrap_or(jws::DEFAULT_LEEWAY),
            audience: audience.as_deref(),
            issuers: &self.issuers,
            allow_self_issued,
            max_age: opt_secs(max_age)?,
            max_lifetime: opt_secs(max_lifetime)?.unwrap_or(passport::DEFAULT_MAX_LIFETIME),
            revocations: &self.revocations,
            subject: subject.as_ref(),
        };
        js(passport::verify(token, &options)).map(|p| passport_json(&p))
    }
}

fn passport_json(p: &passport::Passport) -> String {
    let mut o = Object::new();
    o.insert("issuer", Value::from(p.issuer.as_str()));
    o.insert("subject", Value::from(p.subject.as_str()));
    // A self-issued passport's two keys are one: its did:key is encoded once (base58 of a
    // key costs about as much as the JSON of the rest).
    let subject_did = p.subject_key.to_did_key();
    let issuer_did = if p.issuer_key == p.subject_key {
        subject_did.clone()
    } else {
        p.issuer_key.to_did_key()
    };
    o.insert("subjectKey", Value::from(subject_did));
    o.insert("issuerKey", Value::from(issuer_did));
    o.insert("selfIssued", Value::Bool(p.self_issued));
    o.insert(
        "audience",
        Value::Array(p.audience.iter().map(|a| Value::from(a.as_str())).collect()),
    );
    o.insert("issuedAt", opt_u64(p.issued_at));
    o.insert("notBefore", opt_u64(p.not_before));
    o.insert("expiresAt", Value::from_u64(p.expires_at));
    o.insert("jti", opt_str(p.jti.as_deref()));
    o.insert(
        "mcp",
        p.mcp.as_ref().map_or(Value::Null, |m| {
            let mut mo = Object::new();
            mo.insert("name", Value::from(m.name.as_str()));
            mo.insert("version", opt_str(m.version.as_deref()));
            mo.insert(
                "endpoints",
                Value::Array(
                    m.endpoints
                        .iter()
                        .map(|e| Value::from(e.as_str()))
                        .collect(),
                ),
            );
            mo.insert("toolsHash", opt_str(m.tools_hash.as_deref()));
            Value::Object(mo)
        }),
    );
    obj_json(o)
}

#[cfg(feature = "full")]
fn mcp_info(
    name: String,
    version: Option<String>,
    endpoints: Vec<String>,
    tools_hash: Option<String>,
) -> McpInfo {
    McpInfo {
        name,
        version,
        endpoints,
        tools_hash,
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = issueSelfPassport)]
#[allow(clippy::too_many_arguments)]
pub fn issue_self_passport(
    server: &WasmSigningKey,
    name: String,
    version: Option<String>,
    endpoints: Vec<String>,
    tools_hash: Option<String>,
    now: f64,
    ttl: Option<f64>,
    audience: Option<String>,
    jti: Option<String>,
    not_before: Option<f64>,
) -> JsResult<String> {
    let options = passport::IssueOptions {
        now: secs(now)?,
        ttl: opt_secs(ttl)?.unwrap_or(passport::DEFAULT_PASSPORT_TTL),
        audience: audience.as_deref(),
        jti: jti.as_deref(),
        not_before: opt_secs(not_before)?,
    };
    let mcp = mcp_info(name, version, endpoints, tools_hash);
    js(passport::issue_self_with(&server.0, &mcp, &options))
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = issuePassport)]
#[allow(clippy::too_many_arguments)]
pub fn issue_passport(
    issuer_key: &WasmSigningKey,
    issuer_id: &str,
    issuer_kid: Option<String>,
    server: &WasmVerifyingKey,
    name: String,
    version: Option<String>,
    endpoints: Vec<String>,
    tools_hash: Option<String>,
    now: f64,
    ttl: Option<f64>,
    audience: Option<String>,
    jti: Option<String>,
    not_before: Option<f64>,
) -> JsResult<String> {
    let options = passport::IssueOptions {
        now: secs(now)?,
        ttl: opt_secs(ttl)?.unwrap_or(passport::DEFAULT_PASSPORT_TTL),
        audience: audience.as_deref(),
        jti: jti.as_deref(),
        not_before: opt_secs(not_before)?,
    };
    let mcp = mcp_info(name, version, endpoints, tools_hash);
    js(passport::issue_with(
        &issuer_key.0,
        issuer_id,
        issuer_kid.as_deref(),
        &server.0,
        &mcp,
        &options,
    ))
}

// ---------------------------------------------------------------------------------------
// Identity documents
// ---------------------------------------------------------------------------------------

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = publisherAttestation)]
pub fn publisher_attestation(
    publisher: &WasmSigningKey,
    name: &str,
    url: Option<String>,
    kid: Option<String>,
    server: &WasmVerifyingKey,
    now: f64,
    ttl: Option<f64>,
) -> JsResult<String> {
    let p = PublisherDetails {
        name,
        url: url.as_deref(),
        kid: kid.as_deref(),
    };
    js(identity::publisher_attestation_with(
        &publisher.0,
        &p,
        &server.0,
        secs(now)?,
        opt_secs(ttl)?,
    ))
    .map(|v| v.to_jcs())
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = revocationAttestation)]
pub fn revocation_attestation(
    old: &WasmSigningKey,
    revoked_kid: &str,
    replacement: Option<Vec<u8>>,
    reason: Option<String>,
    now: f64,
) -> JsResult<String> {
    // The successor arrives as its 32 raw bytes: an exported struct passed by value would be
    // moved out of the caller's JS object.
    let replacement = replacement
        .map(|b| js(VerifyingKey::from_slice(&b)))
        .transpose()?;
    js(identity::revocation_attestation_with(
        &old.0,
        revoked_kid,
        replacement.as_ref(),
        reason.as_deref(),
        secs(now)?,
    ))
    .map(|v| v.to_jcs())
}

#[cfg(feature = "full")]
/// `extra_json`: a JSON array of attestation objects.
#[wasm_bindgen(js_name = identityDocument)]
pub fn identity_document(
    server: &WasmSigningKey,
    kid: Option<String>,
    now: f64,
    extra_json: &str,
) -> JsResult<String> {
    let extra = match parse_json(extra_json)? {
        Value::Array(a) => a,
        _ => {
            return Err(err(
                ErrorCode::MalformedIdentity,
                "attestations must be an array",
            ))
        }
    };
    js(identity::identity_document_with(
        &server.0,
        kid.as_deref(),
        secs(now)?,
        &extra,
    ))
}

/// `trusted_publishers`: 32-byte public keys, concatenated.
#[wasm_bindgen(js_name = verifyIdentityDocument)]
pub fn verify_identity_document(
    doc: &str,
    now: f64,
    trusted_publishers: &[u8],
    require_trusted_publisher: bool,
    previous_key: Option<WasmVerifyingKey>,
) -> JsResult<String> {
    let trusted = keys_from_bytes(trusted_publishers)?;
    let previous = previous_key.map(|k| k.0);
    let options = identity::VerifyOptions {
        now: secs(now)?,
        trusted_publishers: &trusted,
        require_trusted_publisher,
        previous_key: previous.as_ref(),
    };
    let v = js(identity::verify_document(doc, &options))?;
    let mut o = Object::new();
    o.insert("did", Value::from(v.key.to_did_key()));
    o.insert("kid", Value::from(v.kid.as_str()));
    o.insert("selfSignedAt", Value::from_u64(v.self_signed_at));
    o.insert(
        "publishers",
        Value::Array(
            v.publishers
                .iter()
                .map(|p| {
                    let mut po = Object::new();
                    po.insert("name", Value::from(p.name.as_str()));
                    po.insert("url", opt_str(p.url.as_deref()));
                    po.insert("did", Value::from(p.key.to_did_key()));
                    po.insert("kid", opt_str(p.kid.as_deref()));
                    po.insert("signedAt", Value::from_u64(p.signed_at));
                    po.insert("expiresAt", opt_u64(p.expires_at));
                    po.insert("bound", Value::Bool(p.bound));
                    po.insert("trusted", Value::Bool(p.trusted));
                    Value::Object(po)
                })
                .collect(),
        ),
    );
    o.insert(
        "rotations",
        Value::Array(
            v.rotations
                .iter()
                .map(|r| {
                    let mut ro = Object::new();
                    ro.insert("revokedKid", Value::from(r.revoked_kid.as_str()));
                    ro.insert("replacementKid", opt_str(r.replacement_kid.as_deref()));
                    ro.insert("reason", opt_str(r.reason.as_deref()));
                    ro.insert("verified", Value::Bool(r.verified));
                    Value::Object(ro)
                })
                .collect(),
        ),
    );
    Ok(obj_json(o))
}

// ---------------------------------------------------------------------------------------
// Challenges
// ---------------------------------------------------------------------------------------

/// The params JSON of a new request for `random` (≥ 32 bytes) at `now`.
#[wasm_bindgen(js_name = challengeRequest)]
pub fn challenge_request(random: &[u8], now: f64) -> JsResult<String> {
    js(ChallengeRequest::from_random(random, secs(now)?)).map(|r| r.to_json())
}

#[cfg(feature = "full")]
/// Parses and re-serialises request params (checks them).
#[wasm_bindgen(js_name = challengeRequestParse)]
pub fn challenge_request_parse(params: &str) -> JsResult<String> {
    js(ChallengeRequest::from_json(params)).map(|r| r.to_json())
}

#[wasm_bindgen(js_name = challengeSigningInput)]
pub fn challenge_signing_input(params: &str) -> JsResult<Vec<u8>> {
    js(ChallengeRequest::from_json(params).and_then(|r| r.signing_input()))
}

#[cfg(feature = "full")]
#[wasm_bindgen(js_name = challengeResponseParse)]
pub fn challenge_response_parse(result: &str) -> JsResult<String> {
    js(ChallengeResponse::from_json(result)).map(|r| r.to_json())
}

#[wasm_bindgen(js_name = verifyChallengeResponse)]
pub fn verify_challenge_response(
    request: &str,
    response: &str,
    key: &WasmVerifyingKey,
    expected_kid: Option<String>,
) -> JsResult<()> {
    let req = js(ChallengeRequest::from_json(request))?;
    let resp = js(ChallengeResponse::from_json(response))?;
    js(challenge::verify_response(
        &req,
        &resp,
        &key.0,
        expected_kid.as_deref(),
    ))
}

/// The JSON-RPC error object for a challenge error (`code`, `message` of a thrown error).
#[wasm_bindgen(js_name = challengeErrorJson)]
pub fn challenge_error_json(code: &str, message: &str) -> String {
    let code = ErrorCode::from_code(code).unwrap_or(ErrorCode::InvalidChallenge);
    challenge::jsonrpc_error_json(&Error::with_message(code, String::from(message)))
}

#[cfg(feature = "full")]
#[wasm_bindgen]
pub struct WasmChallengeResponder(ChallengeResponder);

#[cfg(feature = "full")]
/// A challenge admitted by the core, waiting for a replay store's insert-if-absent.
#[wasm_bindgen]
pub struct WasmAdmittedChallenge(AdmittedChallenge);

#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmAdmittedChallenge {
    #[wasm_bindgen(js_name = storeKey)]
    pub fn store_key(&self) -> String {
        self.0.store_key()
    }
    #[wasm_bindgen(js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        // Unix seconds from a parsed timestamp (≤ year 9999): exact in a double.
        num(self.0.expires_at())
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen]
impl WasmChallengeResponder {
    #[wasm_bindgen(constructor)]
    pub fn new(
        kid: &str,
        capacity: Option<f64>,
        client_quota: Option<f64>,
    ) -> JsResult<WasmChallengeResponder> {
        let capacity = match opt_secs(capacity)? {
            Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
            None => challenge::DEFAULT_NONCE_CACHE_CAPACITY,
        };
        Ok(WasmChallengeResponder(match opt_secs(client_quota)? {
            Some(q) => ChallengeResponder::with_client_quota(
                kid,
                capacity,
                usize::try_from(q).unwrap_or(usize::MAX),
            ),
            None => ChallengeResponder::new(kid, capacity),
        }))
    }
    /// The response result JSON; `client` charges the nonce to that client's quota.
    pub fn respond(
        &mut self,
        key: &WasmSigningKey,
        params: &str,
        now: f64,
        client: Option<String>,
    ) -> JsResult<String> {
        let now = secs(now)?;
        let result = match client {
            Some(c) => self.0.respond_for(&key.0, params, &c, now),
            None => self.0.respond(&key.0, params, now),
        };
        js(result).map(|r| r.to_json())
    }
    /// Checks and admits (quota, local cache) without signing: for an external replay store.
    pub fn admit(
        &mut self,
        params: &str,
        client: &str,
        now: f64,
    ) -> JsResult<WasmAdmittedChallenge> {
        js(self.0.admit(params, client, secs(now)?)).map(WasmAdmittedChallenge)
    }
    /// The response result JSON for an admitted challenge.
    pub fn sign(&self, key: &WasmSigningKey, admitted: &WasmAdmittedChallenge) -> JsResult<String> {
        js(self.0.sign_with(&key.0, &admitted.0)).map(|r| r.to_json())
    }
    pub fn kid(&self) -> String {
        String::from(self.0.kid())
    }
    #[wasm_bindgen(js_name = cacheLength)]
    pub fn cache_length(&self) -> usize {
        self.0.cache().len()
    }
    #[wasm_bindgen(js_name = cacheCapacity)]
    pub fn cache_capacity(&self) -> usize {
        self.0.cache().capacity()
    }
    #[wasm_bindgen(js_name = clientQuota)]
    pub fn client_quota(&self) -> usize {
        self.0.cache().client_quota()
    }
}

// ---------------------------------------------------------------------------------------
// Trust store
// ---------------------------------------------------------------------------------------

#[wasm_bindgen]
#[derive(Default)]
pub struct WasmTrustStore(pub(crate) TrustStore);

#[wasm_bindgen]
impl WasmTrustStore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmTrustStore {
        WasmTrustStore(TrustStore::new())
    }
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> JsResult<WasmTrustStore> {
        js(TrustStore::from_json(text)).map(WasmTrustStore)
    }
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// "first_use" or "match".
    #[wasm_bindgen(js_name = checkPin)]
    pub fn check_pin(
        &mut self,
        server: &str,
        key: &WasmVerifyingKey,
        now: f64,
    ) -> JsResult<String> {
        let status = js(self.0.check_pin(server, &key.0, secs(now)?))?;
        Ok(String::from(match status {
            PinStatus::FirstUse => "first_use",
            PinStatus::Match => "match",
        }))
    }
    pub fn pin(&mut self, server: &str, key: &WasmVerifyingKey, now: f64) -> JsResult<()> {
        self.0.pin(server, &key.0, secs(now)?);
        Ok(())
    }
    pub fn unpin(&mut self, server: &str) -> bool {
        self.0.unpin(server).is_some()
    }
    /// `{"did", "firstSeen", "lastSeen"}` or `null`.
    pub fn pinned(&self, server: &str) -> String {
        match self.0.pinned(server) {
            None => String::from("null"),
            Some(p) => {
                let mut o = Object::new();
                o.insert("did", Value::from(p.key.to_did_key()));
                o.insert("firstSeen", Value::from_u64(p.first_seen));
                o.insert("lastSeen", Value::from_u64(p.last_seen));
                obj_json(o)
            }
        }
    }
    #[wasm_bindgen(js_name = addIssuer)]
    pub fn add_issuer(&mut self, issuer: &WasmTrustedIssuer) {
        self.0.add_issuer(issuer.0.clone());
    }
    #[wasm_bindgen(js_name = issuerIds)]
    pub fn issuer_ids(&self) -> Vec<String> {
        self.0
            .issuers()
            .iter()
            .map(|i| String::from(i.id()))
            .collect()
    }
    #[wasm_bindgen(js_name = addRevocationList)]
    pub fn add_revocation_list(&mut self, token: &str, now: f64) -> JsResult<bool> {
        js(self.0.add_revocation_list(token, secs(now)?))
    }
    #[wasm_bindgen(js_name = checkRevoked)]
    pub fn check_revoked(&self, key: &WasmVerifyingKey) -> JsResult<()> {
        js(self.0.check_revoked(&key.0))
    }
    /// A verifier with this store's issuers and revocation lists.
    pub fn verifier(&self) -> WasmVerifier {
        WasmVerifier {
            issuers: self.0.issuers().to_vec(),
            revocations: self.0.revocation_lists(),
        }
    }
}
