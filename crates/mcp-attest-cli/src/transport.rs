//! What `verify` needs from a connection to an MCP server, so one driving loop (in
//! `commands::verify`) serves stdio and Streamable HTTP alike.

use serde_json::Value;

use crate::out::Fail;
use crate::rpc::{Answer, StdioClient};

/// A connected MCP client: the handshake, then request/response.
pub(crate) trait Transport {
    /// `initialize` then `notifications/initialized`; returns the server's `serverInfo`.
    fn initialize(&mut self) -> Result<Value, Fail>;
    /// One request and its answer (bounded in size and time by the transport).
    fn request(&mut self, method: &str, params: Value) -> Result<Answer, Fail>;
}

impl Transport for StdioClient {
    fn initialize(&mut self) -> Result<Value, Fail> {
        StdioClient::initialize(self)
    }
    fn request(&mut self, method: &str, params: Value) -> Result<Answer, Fail> {
        StdioClient::request(self, method, params)
    }
}
