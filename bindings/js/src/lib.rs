//! wasm-bindgen glue (being written).
