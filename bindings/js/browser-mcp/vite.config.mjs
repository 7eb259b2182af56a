// esnext: the wasm glue of mcp-identity uses top-level await.
export default { build: { target: 'esnext', chunkSizeWarningLimit: 2048 }, logLevel: 'warn' }
