//! Empty: it makes the `[build-dependencies]` of `Cargo.toml` take part in feature unification.

fn main() {}
