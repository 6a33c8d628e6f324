//! Four `f32` lanes (SIMD128) loaded from and stored to slices, with the length checked: the one
//! place the vector code of the kernels (`tiled`, the loss's exponentials, Adam) does this.
//! WebAssembly with SIMD128 only.

use core::arch::wasm32::{v128, v128_load, v128_store};

/// The 4 values of `s` (exactly 4 long) as a vector.
#[inline(always)]
pub(crate) fn load(s: &[f32]) -> v128 {
    let s: &[f32; 4] = s.try_into().expect("4 lanes");
    // SAFETY: 4 f32s are 16 readable bytes; v128_load needs no alignment.
    unsafe { v128_load(s.as_ptr().cast::<v128>()) }
}

/// Writes `v` into `d` (exactly 4 long).
#[inline(always)]
pub(crate) fn store(d: &mut [f32], v: v128) {
    let d: &mut [f32; 4] = d.try_into().expect("4 lanes");
    // SAFETY: 4 f32s are 16 writable bytes; v128_store needs no alignment.
    unsafe { v128_store(d.as_mut_ptr().cast::<v128>(), v) }
}
