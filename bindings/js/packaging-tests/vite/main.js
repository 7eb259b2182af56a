import * as lib from 'mcp-attest'
import { check } from './check.js'
try { window.__result = check(lib) } catch (e) { window.__result = String(e && e.stack || e) }
