// The few Node.js APIs `mcp-attest/fs` uses, declared here because the package compiles
// without @types/node (the rest of it runs in browsers too). Not emitted.
declare module 'node:fs' {
  export function readFileSync(path: string, encoding: 'utf8'): string
  export function readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number
  export function fstatSync(fd: number): { mode: number; size: number }
  export function mkdirSync(path: string, options: { recursive: boolean; mode: number }): string | undefined
  export function linkSync(existing: string, target: string): void
  export function openSync(path: string, flags: string, mode?: number): number
  export function writeSync(fd: number, data: string): number
  export function fsyncSync(fd: number): void
  export function closeSync(fd: number): void
  export function renameSync(from: string, to: string): void
  export function rmSync(path: string, options?: { force?: boolean }): void
  export function mkdirSync(path: string, options?: { recursive?: boolean; mode?: number }): string | undefined
  export function readdirSync(path: string): string[]
  export function statSync(path: string): { isDirectory(): boolean; size: number; mode: number }
}
declare module 'node:path' {
  export function dirname(path: string): string
  export function basename(path: string): string
  export function join(...parts: string[]): string
  export function resolve(...parts: string[]): string
}
declare module 'node:crypto' {
  export function randomUUID(): string
}
