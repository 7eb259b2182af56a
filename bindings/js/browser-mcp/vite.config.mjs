// es2020: the package's entries need no top-level await, so an older target bundles them.
export default { build: { target: 'es2020', chunkSizeWarningLimit: 2048 }, logLevel: 'warn' }
