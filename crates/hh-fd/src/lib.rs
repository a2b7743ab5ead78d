//! Implicit finite-difference reference solver (work in progress).
