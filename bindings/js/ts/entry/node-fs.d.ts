// The one Node.js API the Node entry uses (the package compiles without @types/node); merges
// with ts/fs/node-modules.d.ts. Not emitted.
declare module 'node:fs' {
  export function readFileSync(path: URL): Uint8Array<ArrayBuffer>
}
