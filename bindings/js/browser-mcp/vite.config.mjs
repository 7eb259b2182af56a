// esnext: the wasm glue of mcp-attest uses top-level await.
export default { build: { target: 'esnext', chunkSizeWarningLimit: 2048 }, logLevel: 'warn' }
