//! Glue for the session engine: the client's trust decision and the server's presentation.
//! JSON text in, JSON text out; every decision is the core's.

use std::sync::{Mutex, MutexGuard};

use mcp_attest::server::{ServerOptions, ServerPresentation as CoreServer};
use mcp_attest::session::{ClientPolicy, ClientSession as CoreSession};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;

use crate::attest::EvidenceLog;
use crate::convert::{json_text, text};
use crate::error::{glue_error, CoreResult};
use crate::keys::{signer_arg, PySigner};
use crate::trust::TrustStore;
use mcp_attest::evidence;
use mcp_attest::gate::{self, Ticket};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn split(r: Result<String, String>) -> (bool, String) {
    match r {
        Ok(r) => (true, r),
        Err(e) => (false, e),
    }
}

/// The client side of an identity check (see ``mcp_attest.session.ClientSession``).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct ClientSession {
    inner: Mutex<CoreSession>,
}

#[pymethods]
impl ClientSession {
    /// ``policy_json``: the policy with camelCase names; ``trust_store`` is copied in (write
    /// it back with ``save_trust_store``); ``random``: 64 bytes.
    #[new]
    #[pyo3(signature = (policy_json, trust_store, now, random))]
    fn py_new(
        policy_json: &Bound<'_, PyAny>,
        trust_store: Option<&Bound<'_, TrustStore>>,
        now: Option<&Bound<'_, PyAny>>,
        random: &[u8],
    ) -> PyResult<Self> {
        let random: [u8; 64] = random.try_into().map_err(|_| {
            glue_error(
                mcp_attest::ErrorCode::InvalidPolicy,
                "a session needs 64 random bytes",
            )
        })?;
        let policy = ClientPolicy::from_json(&json_text(policy_json, "policy")?).py()?;
        let store = trust_store.map(|s| lock(&s.get().inner).clone());
        let session = CoreSession::new(policy, store, crate::convert::now(now)?, &random).py()?;
        Ok(ClientSession {
            inner: Mutex::new(session),
        })
    }
    /// ``(method, params_json)``, or ``None`` when the report is ready.
    fn next_request(&self) -> Option<(&'static str, String)> {
        lock(&self.inner)
            .next_request()
            .map(|r| (r.method, r.params))
    }
    /// The result (JSON text) of the last request.
    fn receive_result(&self, py: Python<'_>, result: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = json_text(result, "result")?;
        let t: &str = &t;
        py.detach(|| lock(&self.inner).receive_result(t));
        Ok(())
    }
    /// The JSON-RPC error the last request was answered with (``data_json``: JSON text).
    #[pyo3(signature = (code, message, data_json = None))]
    fn receive_error(
        &self,
        code: i64,
        message: &Bound<'_, PyAny>,
        data_json: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let m = text(message, "message")?;
        let d = data_json.map(|d| json_text(d, "data_json")).transpose()?;
        lock(&self.inner).receive_error(code, m, d.as_deref());
        Ok(())
    }
    /// The report (JSON text), once ``next_request`` returned ``None``.
    fn report(&self) -> Option<String> {
        lock(&self.inner).report().map(String::from)
    }
    /// Writes the session's updated trust store into ``store``.
    fn save_trust_store(&self, store: &Bound<'_, TrustStore>) {
        if let Some(updated) = lock(&self.inner).trust_store() {
            *lock(&store.get().inner) = updated.clone();
        }
    }
}

impl ServerPresentation {
    /// The presentation, locked without holding the GIL while waiting: a Python signer
    /// releases the GIL inside its call (network I/O to a KMS) while this lock is held, and a
    /// thread waiting for the lock with the GIL held would deadlock with it.
    fn server(&self, py: Python<'_>) -> MutexGuard<'_, CoreServer<PySigner>> {
        self.inner
            .lock_py_attached(py)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A server's identity, presented (see ``mcp_attest.session.ServerPresentation``).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct ServerPresentation {
    inner: Mutex<CoreServer<PySigner>>,
    /// Whether the key is a Python signer, which needs the GIL for every signature.
    host_signer: bool,
    kid: String,
    did: String,
}

#[pymethods]
impl ServerPresentation {
    #[new]
    fn py_new(key: &Bound<'_, PyAny>, options_json: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = signer_arg(key, "key")?;
        let host_signer = matches!(key, PySigner::Host { .. });
        let options = ServerOptions::from_json(&json_text(options_json, "options")?).py()?;
        let server = CoreServer::with_signer(key, options);
        Ok(ServerPresentation {
            host_signer,
            kid: String::from(server.kid()),
            did: server.did(),
            inner: Mutex::new(server),
        })
    }
    #[getter]
    fn kid(&self) -> &str {
        &self.kid
    }
    #[getter]
    fn did(&self) -> &str {
        &self.did
    }
    fn capabilities(&self, py: Python<'_>) -> String {
        self.server(py).capabilities()
    }
    fn http_headers(&self, py: Python<'_>) -> String {
        self.server(py).http_headers()
    }
    #[pyo3(signature = (*, now = None))]
    fn passport(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
        let n = crate::convert::now(now)?;
        self.server(py).try_passport(n).py()
    }
    #[pyo3(signature = (result, *, cursor = None, now = None))]
    fn sign_tools_list(
        &self,
        py: Python<'_>,
        result: &Bound<'_, PyAny>,
        cursor: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let t = json_text(result, "result")?;
        let t: &str = &t;
        let c = crate::convert::opt_text(cursor, "cursor")?;
        let n = crate::convert::now(now)?;
        if self.host_signer {
            // A Python signer needs the GIL for every signature: keep it (every other lock of
            // this presentation waits without it, see `server`).
            return self.server(py).sign_tools_list(t, c, n).py();
        }
        py.detach(|| lock(&self.inner).sign_tools_list(t, c, n))
            .py()
    }
    #[pyo3(signature = (*, now = None))]
    fn identity_get(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let n = crate::convert::now(now)?;
        self.server(py).try_identity_get(n).py()
    }
    /// ``(True, result_json)`` or ``(False, jsonrpc_error_json)``.
    #[pyo3(signature = (params, client, *, now = None))]
    fn answer_challenge(
        &self,
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        client: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(bool, String)> {
        let t = json_text(params, "params")?;
        let c = text(client, "client")?;
        let n = crate::convert::now(now)?;
        Ok(split(self.server(py).answer_challenge(&t, c, n)))
    }
    /// ``(True, (store_key, expires_at), None)`` or ``(False, None, jsonrpc_error_json)``.
    #[pyo3(signature = (params, client, *, now = None))]
    #[allow(clippy::type_complexity)]
    fn admit_challenge(
        &self,
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        client: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(bool, Option<(String, u64)>, Option<String>)> {
        let t = json_text(params, "params")?;
        let c = text(client, "client")?;
        let n = crate::convert::now(now)?;
        Ok(match self.server(py).admit_challenge(&t, c, n) {
            Ok(k) => (true, Some(k), None),
            Err(e) => (false, None, Some(e)),
        })
    }
    /// ``(True, result_json)`` or ``(False, jsonrpc_error_json)``.
    fn complete_challenge(
        &self,
        py: Python<'_>,
        store_key: &Bound<'_, PyAny>,
        inserted: bool,
    ) -> PyResult<(bool, String)> {
        let k = text(store_key, "store_key")?;
        Ok(split(self.server(py).complete_challenge(k, inserted)))
    }
    fn set_tool_trust_level(&self, py: Python<'_>, tool: &str, level: u8) -> PyResult<()> {
        self.server(py).set_tool_trust_level(tool, level).py()
    }
    fn required_level(&self, py: Python<'_>, tool: &str) -> u8 {
        self.server(py).required_level(tool)
    }
    fn set_caller_trust(&self, py: Python<'_>, store: &Bound<'_, TrustStore>) {
        let (issuers, lists) = {
            let s = crate::trust::lock_attached(py, &store.get().inner);
            (s.issuers().to_vec(), s.revocation_lists())
        };
        self.server(py).set_caller_trust(issuers, lists);
    }
    /// The gate's decision (``Admission::to_json``), recorded into ``log`` if given.
    #[pyo3(signature = (params, client, header = None, log = None, now = None))]
    fn admit_call(
        &self,
        py: Python<'_>,
        params: &Bound<'_, PyAny>,
        client: &Bound<'_, PyAny>,
        header: Option<&Bound<'_, PyAny>>,
        log: Option<&Bound<'_, EvidenceLog>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let p = json_text(params, "params")?;
        let c = text(client, "client")?;
        let h = crate::convert::opt_text(header, "header")?;
        let n = crate::convert::now(now)?;
        let mut server = self.server(py);
        let a = match log {
            Some(l) => {
                let mut l = l.get().log(py);
                server.admit_call(&p, h, c, n, Some(&mut *l))
            }
            None => server.admit_call::<PySigner>(&p, h, c, n, None),
        };
        Ok(a.py()?.to_json())
    }
    /// ``[{file, line}]`` (JSON text) recording an admitted call's outcome: ``result`` (the
    /// CallToolResult) or ``error`` (the JSON-RPC error object).
    #[pyo3(signature = (ticket, result = None, error = None, log = None, now = None))]
    fn complete_call(
        &self,
        py: Python<'_>,
        ticket: &Bound<'_, PyAny>,
        result: Option<&Bound<'_, PyAny>>,
        error: Option<&Bound<'_, PyAny>>,
        log: Option<&Bound<'_, EvidenceLog>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let t = Ticket::from_json(&json_text(ticket, "ticket")?).py()?;
        let r = result.map(|r| json_text(r, "result")).transpose()?;
        let code = error
            .map(|e| json_text(e, "error"))
            .transpose()?
            .map(|e| gate::error_code_of(&e));
        let n = crate::convert::now(now)?;
        let server = self.server(py);
        let writes = match log {
            Some(l) => {
                let mut l = l.get().log(py);
                server.complete_call(&t, r.as_deref(), code.as_deref(), n, Some(&mut *l))
            }
            None => server.complete_call::<PySigner>(&t, r.as_deref(), code.as_deref(), n, None),
        };
        Ok(evidence::writes_value(&writes.py()?).to_jcs())
    }
}
