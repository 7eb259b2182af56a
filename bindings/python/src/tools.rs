//! JCS, time formatting, tool attestation and tools-list verification.

use mcp_attest::json::{Number, Value};
use mcp_attest::tool::{self, ManifestStatus, ToolSignatures};
use mcp_attest::{time, Error, ErrorCode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyTuple};

use crate::convert::{json_text, json_value, opt_text};
use crate::error::{exception, glue_error, CoreResult};
use crate::keys::{signer_arg, vk_arg};
use mcp_attest::Signer;

/// The RFC 8785 (JCS) canonical form of JSON text (``str`` or UTF-8 bytes) or of a Python
/// value (a float is converted exactly; other values travel as JSON text into the parser).
#[pyfunction]
pub(crate) fn canonicalize(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(f) = value.cast::<PyFloat>() {
        let n = Number::from_f64(f.value()).py()?;
        return Ok(Value::Number(n).to_jcs());
    }
    let t = json_text(value, "value")?;
    mcp_attest::json::canonicalize(&t).py()
}

/// Unix seconds as an RFC 3339 UTC date-time (``2027-01-15T08:00:00Z``).
#[pyfunction]
pub(crate) fn format_rfc3339(secs: u64) -> String {
    time::format_rfc3339(secs)
}

/// Parses an RFC 3339 date-time in the extended form into Unix seconds.
#[pyfunction]
pub(crate) fn parse_rfc3339(text: &Bound<'_, PyAny>) -> PyResult<u64> {
    time::parse_rfc3339(crate::convert::text(text, "text")?).py()
}

/// The exact text the ext-auth draft signs for ``tool``: JCS of {name, description,
/// inputSchema[, outputSchema]}.
#[pyfunction]
pub(crate) fn ext_auth_signing_input(tool: &Bound<'_, PyAny>) -> PyResult<String> {
    tool::ext_auth_signing_input(&json_value(tool, "tool")?).py()
}

/// The content hash ``sha256-<base64url>`` of the fields every SDK preserves.
#[pyfunction]
pub(crate) fn content_hash(tool: &Bound<'_, PyAny>) -> PyResult<String> {
    tool::content_hash(&json_value(tool, "tool")?).py()
}

/// The ``mcp.toolsHash`` of a passport for ``tools`` (a JSON array or a sequence of tools).
#[pyfunction]
pub(crate) fn tools_hash(tools: &Bound<'_, PyAny>) -> PyResult<String> {
    match json_value(tools, "tools")? {
        Value::Array(items) => tool::tools_hash(&items).py(),
        _ => Err(glue_error(
            ErrorCode::MalformedToolDefinition,
            "tools must be a JSON array of tool definitions",
        )),
    }
}

/// Returns ``tool`` (JSON text out) with its ext-auth attestation in ``_meta``.
#[pyfunction]
#[pyo3(signature = (key, tool, *, kid = None, now = None))]
pub(crate) fn sign_tool(
    key: &Bound<'_, PyAny>,
    tool: &Bound<'_, PyAny>,
    kid: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let sk = signer_arg(key, "key")?;
    let v = json_value(tool, "tool")?;
    let default_kid = Signer::verifying_key(&sk).kid();
    let kid = opt_text(kid, "kid")?.unwrap_or(&default_kid);
    let signed_at = time::format_rfc3339(crate::convert::now(now)?);
    Ok(tool::sign_tool(&sk, &v, kid, &signed_at).py()?.to_jcs())
}

/// Checks one tool's ext-auth attestation under ``key``; raises on failure.
#[pyfunction]
#[pyo3(signature = (tool, key, *, kid = None))]
pub(crate) fn verify_tool(
    tool: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
    kid: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let k = vk_arg(key, "key")?;
    let v = json_value(tool, "tool")?;
    tool::verify_tool(&v, &k, opt_text(kid, "kid")?).py()
}

/// Signs every tool of a ``tools/list`` result and attaches the manifest; returns JSON text.
#[pyfunction]
#[pyo3(signature = (key, result, *, now = None, ttl = tool::DEFAULT_MANIFEST_TTL, audience = None, kid = None))]
pub(crate) fn sign_tools_list(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    result: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    ttl: u64,
    audience: Option<&Bound<'_, PyAny>>,
    kid: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let text = json_text(result, "result")?;
    let options = tool::SignOptions {
        now: crate::convert::now(now)?,
        ttl,
        audience: opt_text(audience, "audience")?,
        kid: opt_text(kid, "kid")?,
    };
    let sk = signer_arg(key, "key")?;
    let text: &str = &text;
    // Without the GIL while the core works; a host signer re-takes it for each signature.
    py.detach(|| tool::sign_tools_list(&sk, text, &options))
        .py()
}

/// Verifies a ``tools/list`` result under the server key into a per-tool report (the GIL is
/// released while the core works). Raises only for input that is not a tools list at all.
#[pyfunction]
#[pyo3(signature = (result, key, *, now = None, leeway = mcp_attest::jws::DEFAULT_LEEWAY, audience = None, kid = None, require_manifest = true, tool_signatures = "if_no_manifest", revocations = None, max_bytes = tool::DEFAULT_MAX_LIST_BYTES))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_tools_list(
    py: Python<'_>,
    result: &Bound<'_, PyAny>,
    key: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    leeway: u64,
    audience: Option<&Bound<'_, PyAny>>,
    kid: Option<&Bound<'_, PyAny>>,
    require_manifest: bool,
    tool_signatures: &str,
    revocations: Option<&Bound<'_, PyAny>>,
    max_bytes: usize,
) -> PyResult<ToolsReport> {
    let lists = crate::tokens::lists_arg(revocations)?;
    let k = vk_arg(key, "key")?;
    let text = json_text(result, "result")?;
    let tool_signatures = match tool_signatures {
        "if_no_manifest" => ToolSignatures::IfNoManifest,
        "always" => ToolSignatures::Always,
        _ => {
            return Err(PyValueError::new_err(
                "tool_signatures must be 'if_no_manifest' or 'always'",
            ))
        }
    };
    let options = tool::VerifyOptions {
        now: crate::convert::now(now)?,
        leeway,
        audience: opt_text(audience, "audience")?,
        kid: opt_text(kid, "kid")?,
        require_manifest,
        tool_signatures,
        revocations: &lists,
        max_bytes,
    };
    let text: &str = &text;
    let report = py
        .detach(|| tool::verify_tools_list(text, &k, &options))
        .py()?;
    Ok(ToolsReport::new(report))
}

/// The verdict on one tool.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct ToolReport {
    inner: tool::ToolReport,
}

#[pymethods]
impl ToolReport {
    /// Position in the list (``None`` for a tool only the manifest names).
    #[getter]
    fn index(&self) -> Option<usize> {
        self.inner.index
    }
    /// The tool's name, when it has one.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }
    /// ``verified``, ``tampered``, ``unsigned``, ``wrong_key``, ``not_in_manifest``,
    /// ``missing_from_list``, ``duplicate``, ``malformed``, ``revoked`` or
    /// ``manifest_unverified`` (the core's names). Only ``verified`` may be used: a sound
    /// tool whose required manifest failed is ``manifest_unverified``.
    #[getter]
    fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }
    /// The error code of why it is not verified, if any.
    #[getter]
    fn error_code(&self) -> Option<&'static str> {
        self.inner.error.as_ref().map(|e| e.code().as_str())
    }
    /// The human-readable reason, if any.
    #[getter]
    fn error_message(&self) -> Option<&str> {
        self.inner.error.as_ref().map(Error::message)
    }
    /// The reason as an exception object (not raised), if any.
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.inner.error.as_ref().map(|e| {
            exception(py, e.code().as_str(), e.message())
                .into_value(py)
                .into_any()
        })
    }
    /// The content hash of the presented tool, when it could be computed.
    #[getter]
    fn hash(&self) -> Option<&str> {
        self.inner.hash.as_deref()
    }
    fn __repr__(&self) -> String {
        let mut s = format!(
            "ToolReport(index={}, name={}, status='{}'",
            self.inner
                .index
                .map_or_else(|| "None".into(), |i| i.to_string()),
            self.inner
                .name
                .as_ref()
                .map_or_else(|| "None".into(), |n| format!("{n:?}")),
            self.inner.status.as_str()
        );
        if let Some(e) = &self.inner.error {
            s.push_str(&format!(", error_code='{}'", e.code().as_str()));
        }
        s.push(')');
        s
    }
}

/// The verdict on a whole ``tools/list`` result.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct ToolsReport {
    inner: tool::ToolsReport,
}

impl ToolsReport {
    fn new(inner: tool::ToolsReport) -> Self {
        ToolsReport { inner }
    }
}

#[pymethods]
impl ToolsReport {
    /// True when every tool is verified and the manifest is (or need not be) verified.
    #[getter]
    fn verified(&self) -> bool {
        self.inner.is_fully_verified()
    }
    /// ``"verified"``, ``"absent"`` or ``"invalid"``.
    #[getter]
    fn manifest_status(&self) -> &'static str {
        match self.inner.manifest {
            ManifestStatus::Verified { .. } => "verified",
            ManifestStatus::Absent => "absent",
            _ => "invalid",
        }
    }
    /// Why the manifest is invalid (an error code), if it is.
    #[getter]
    fn manifest_error_code(&self) -> Option<&'static str> {
        match &self.inner.manifest {
            ManifestStatus::Invalid(e) => Some(e.code().as_str()),
            _ => None,
        }
    }
    /// The manifest's ``iat``, when verified.
    #[getter]
    fn manifest_issued_at(&self) -> Option<u64> {
        match self.inner.manifest {
            ManifestStatus::Verified { issued_at, .. } => Some(issued_at),
            _ => None,
        }
    }
    /// The manifest's ``exp``, when verified.
    #[getter]
    fn manifest_expires_at(&self) -> Option<u64> {
        match self.inner.manifest {
            ManifestStatus::Verified { expires_at, .. } => Some(expires_at),
            _ => None,
        }
    }
    /// Whether a missing or invalid manifest makes the list unverified.
    #[getter]
    fn require_manifest(&self) -> bool {
        self.inner.require_manifest
    }
    /// One report per presented tool, in list order, then one per tool only the manifest names.
    #[getter]
    fn tools<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items = self
            .inner
            .tools
            .iter()
            .map(|t| Bound::new(py, ToolReport { inner: t.clone() }))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)
    }
    /// The names of the tools that verified: the only ones to show a model.
    fn verified_names(&self) -> Vec<&str> {
        self.inner.verified_names()
    }
    /// The report as JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    fn __repr__(&self) -> String {
        format!(
            "ToolsReport(verified={}, manifest='{}', tools={})",
            if self.inner.is_fully_verified() {
                "True"
            } else {
                "False"
            },
            self.manifest_status(),
            self.inner.tools.len()
        )
    }
}
