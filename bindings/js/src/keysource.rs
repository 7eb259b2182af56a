//! The core's key-source rules for `loadOrCreateKey` (`mcp-attest/fs`): the decisions are the
//! core's, the file I/O is the TypeScript layer's.

use mcp_attest::keysource::{self, FileState, KeyConfig, KeyDecision, KeyStep};
use wasm_bindgen::prelude::*;

use crate::error::{js, JsResult};
use crate::glue::{KeyInner, WasmSigningKey, WasmVerifyingKey};

/// One answer of the rules: a key (taken once), or a file to read, and warnings.
#[wasm_bindgen]
pub struct WasmKeyOutcome {
    key: Option<mcp_attest::SigningKey>,
    file: Option<keysource::KeyFile>,
    warnings: Vec<String>,
}

#[wasm_bindgen]
impl WasmKeyOutcome {
    /// The key, if the answer is one (moved out: a second call gives none).
    #[wasm_bindgen(js_name = takeKey)]
    pub fn take_key(&mut self) -> Option<WasmSigningKey> {
        self.key.take().map(|k| WasmSigningKey(KeyInner::Local(k)))
    }
    /// The file to read next, if any.
    #[wasm_bindgen(js_name = filePath)]
    pub fn file_path(&self) -> Option<String> {
        self.file.as_ref().map(|f| String::from(f.path()))
    }
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }
    /// The decision on what was found at `filePath()`: `text` undefined for no file. An
    /// outcome without key or file means: create a new key there.
    pub fn decide(&self, text: Option<String>, mode: Option<u32>) -> JsResult<WasmKeyOutcome> {
        let Some(file) = &self.file else {
            return Ok(WasmKeyOutcome {
                key: None,
                file: None,
                warnings: Vec::new(),
            });
        };
        let state = match text.as_deref() {
            Some(text) => FileState::Present { text, mode },
            None => FileState::Missing,
        };
        Ok(match js(file.decide(&state))? {
            KeyDecision::Loaded { key, warnings } => WasmKeyOutcome {
                key: Some(*key),
                file: None,
                warnings,
            },
            KeyDecision::Create => WasmKeyOutcome {
                key: None,
                file: None,
                warnings: Vec::new(),
            },
        })
    }
    /// The warning to log after creating `key` at `filePath()`.
    #[wasm_bindgen(js_name = createdWarning)]
    pub fn created_warning(&self, key: &WasmVerifyingKey) -> Option<String> {
        self.file.as_ref().map(|f| f.created_warning(&key.0))
    }
}

/// The first step of the rules, from the two environment variables and the caller's path.
#[wasm_bindgen(js_name = keyPlan)]
pub fn key_plan(
    env_pem: Option<String>,
    env_path: Option<String>,
    path: Option<String>,
) -> JsResult<WasmKeyOutcome> {
    let config = KeyConfig {
        env_pem: env_pem.as_deref(),
        env_path: env_path.as_deref(),
        path: path.as_deref(),
    };
    Ok(match js(config.plan())? {
        KeyStep::Use { key, warnings } => WasmKeyOutcome {
            key: Some(*key),
            file: None,
            warnings,
        },
        KeyStep::ReadFile(f) => WasmKeyOutcome {
            key: None,
            file: Some(f),
            warnings: Vec::new(),
        },
    })
}

/// A warning for the directory a key file goes into (none: fine); throws `unsafe_directory`.
#[wasm_bindgen(js_name = checkKeyDirectory)]
pub fn check_key_directory(dir: &str, mode: u32) -> JsResult<Option<String>> {
    js(keysource::check_key_directory(dir, mode))
}
