// node --test: the vector suite against the Node entry (ESM).
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as lib from 'mcp-attest'
import { defineSuite } from '../suite/vectors.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const js = resolve(here, '..')
const projectDir = resolve(js, '../../tests/vectors')
const sharedDir = resolve(js, '../../../shared/vectors')

const project = { json: (name) => JSON.parse(readFileSync(join(projectDir, name), 'utf8')) }
const shared = {
  json: (p) => JSON.parse(readFileSync(join(sharedDir, p), 'utf8')),
  text: (p) => readFileSync(join(sharedDir, p), 'utf8'),
  list: (d) => readdirSync(join(sharedDir, d)),
}

defineSuite({
  lib,
  project,
  shared,
  test: (name, fn) => test(name, (t) => {
    const summary = fn()
    t.diagnostic(`${name}: ${summary}`)
  }),
})
