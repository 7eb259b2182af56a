import * as lib from 'mcp-identity'
import { check } from './check.js'
console.log('node-esm:', check(lib))
