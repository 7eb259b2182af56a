const lib = require('mcp-attest')
import('./check.mjs').then(({ check }) => console.log('node-cjs:', check(lib)))
