//! `cargo run -p xtask -- gen-vectors`: writes tests/vectors/*.json from fixed seeds.
fn main() {}
