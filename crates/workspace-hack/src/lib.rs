//! Nothing: this crate exists for its dependency features (see its `Cargo.toml`).
