const lib = require('mcp-identity')
import('./check.mjs').then(({ check }) => console.log('node-cjs:', check(lib)))
