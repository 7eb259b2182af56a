// Module aliases resolved by scripts/build.mjs to the wasm-bindgen outputs in dist/wasm/.
declare module '#wasm/inline' {
  const base64: string
  export default base64
}
