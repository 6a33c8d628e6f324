//! The transcendental functions every computation of the project uses, from the `libm` crate.
//!
//! In WebAssembly, `f32::exp`, `f64::sin` and the rest are this very libm (Rust's standard
//! library has no C library to call there); natively they call the platform's C library, whose
//! results differ from libm's in the last bit for some inputs (glibc's `expf` and libm's
//! FreeBSD-derived one round differently). One such bit is enough for a seed to train into other
//! numbers, so the core calls libm on every platform: the CLI and the browser compute the same
//! data sets, losses and scores from the same seed. (`sqrt` and the arithmetic operators are
//! correctly rounded by IEEE 754 everywhere and need no wrapper; the tanh of the activations is
//! the core's own rational function.)

pub use libm::{cos, cosf, exp, expf, hypotf, logf, pow, sinf, tanh};
