import * as lib from 'mcp-attest'
import { check } from './check.js'
console.log('node-esm:', check(lib))
