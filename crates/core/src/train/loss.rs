//! Losses and the target encoding they imply.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use crate::model::Activation;

/// What training minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Loss {
    /// Softmax cross-entropy over `n_classes` logits, averaged over the batch
    /// (PyTorch's `CrossEntropyLoss`).
    #[default]
    CrossEntropy,
    /// Mean squared error over every output, averaged over batch × outputs (PyTorch's
    /// `MSELoss`). With one output (two classes, as in TF Playground) the target is `hi` for
    /// class 1 and `lo` for class 0; with several outputs it is one-hot in `lo`/`hi`, where
    /// `(lo, hi)` is `(0, 1)` for sigmoid/relu outputs and `(−1, 1)` otherwise.
    Mse,
}

crate::named_enum!(Loss, "loss", {
    CrossEntropy => "cross-entropy",
    Mse => "mse",
});

impl Loss {
    /// The number of network outputs this loss needs for `n_classes` classes.
    pub fn outputs(self, n_classes: usize) -> usize {
        match self {
            Loss::Mse if n_classes == 2 => 1,
            _ => n_classes,
        }
    }

    /// The activation the output layer uses by default with this loss.
    pub fn default_output_activation(self) -> Activation {
        match self {
            Loss::CrossEntropy => Activation::Linear,
            Loss::Mse => Activation::Tanh,
        }
    }

    /// `(lo, hi)` target values for MSE with the given output activation.
    pub fn target_range(out: Activation) -> (f32, f32) {
        match out {
            Activation::Sigmoid | Activation::Relu => (0.0, 1.0),
            Activation::Tanh | Activation::Linear => (-1.0, 1.0),
        }
    }

    /// Mean loss of outputs `a` (`[batch, outputs]`) against labels `y`, and, if `grad` is
    /// given, ∂L/∂a written into it. Returns the loss as `f64` (accumulated in `f64`).
    pub fn forward_backward(
        self,
        a: ArrayView2<f32>,
        y: &[usize],
        out: Activation,
        grad: Option<ArrayViewMut2<f32>>,
    ) -> f64 {
        let k = a.ncols();
        let a = a.as_standard_layout();
        let a = a.as_slice().expect("standard layout is contiguous");
        match grad {
            None => self.rows(a, k, y, out, None),
            Some(mut g) => {
                if let Some(gs) = g.as_slice_mut() {
                    return self.rows(a, k, y, out, Some(gs));
                }
                let mut gs = vec![0.0; a.len()];
                let v = self.rows(a, k, y, out, Some(&mut gs));
                g.assign(&ArrayView2::from_shape(g.raw_dim(), &gs).expect("same shape"));
                v
            }
        }
    }

    /// [`Loss::forward_backward`] on row-major slices: `a` (and `grad`) hold rows of `k` outputs,
    /// one per label of `y`.
    pub(crate) fn rows(
        self,
        a: &[f32],
        k: usize,
        y: &[usize],
        out: Activation,
        mut grad: Option<&mut [f32]>,
    ) -> f64 {
        let b = a.len() / k;
        let mut total = 0.0f64;
        match self {
            Loss::CrossEntropy => {
                let scale = 1.0 / b as f32;
                // e^(v − c) for a part of a row (4 at a time in WebAssembly), on the stack: no
                // allocation per call.
                let mut e = [0.0f32; 64];
                for (i, row) in a.chunks_exact(k).enumerate() {
                    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    // Σ e^(v − max), added in order from 0.0.
                    let mut sum = 0.0f32;
                    for part in row.chunks(e.len()) {
                        let e = &mut e[..part.len()];
                        exp_shifted(part, max, e);
                        sum = e.iter().fold(sum, |s, &x| s + x);
                    }
                    let log_sum = max + crate::math::logf(sum);
                    total += f64::from(log_sum - row[y[i]]);
                    if let Some(g) = grad.as_mut() {
                        let g = &mut g[i * k..(i + 1) * k];
                        exp_shifted(row, log_sum, g);
                        for (j, g) in g.iter_mut().enumerate() {
                            *g = (*g - if j == y[i] { 1.0 } else { 0.0 }) * scale;
                        }
                    }
                }
                total / b as f64
            }
            Loss::Mse => {
                let (lo, hi) = Self::target_range(out);
                let scale = 2.0 / (b * k) as f32;
                for (i, row) in a.chunks_exact(k).enumerate() {
                    for (j, &v) in row.iter().enumerate() {
                        let on = if k == 1 { y[i] == 1 } else { y[i] == j };
                        let diff = v - if on { hi } else { lo };
                        total += f64::from(diff * diff);
                        if let Some(g) = grad.as_mut() {
                            g[i * k + j] = diff * scale;
                        }
                    }
                }
                total / (b * k) as f64
            }
        }
    }

    /// The predicted class of each row of outputs `a`.
    pub fn predict(self, a: ArrayView2<f32>, out: Activation) -> Vec<usize> {
        if a.ncols() == 1 {
            let (lo, hi) = Self::target_range(out);
            let mid = (lo + hi) / 2.0;
            return a.column(0).iter().map(|&v| usize::from(v > mid)).collect();
        }
        a.axis_iter(Axis(0))
            .map(|row| {
                // First maximum wins, so ties resolve the same way everywhere.
                let mut best = 0;
                for (j, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = j;
                    }
                }
                best
            })
            .collect()
    }
}

/// `e[j] = (row[j] − c).exp()` for every `j`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn exp_shifted(row: &[f32], c: f32, e: &mut [f32]) {
    for (e, &v) in e.iter_mut().zip(row) {
        *e = crate::math::expf(v - c);
    }
}

/// `e[j] = (row[j] − c).exp()` for every `j`, four at a time through [`simd::exp`], which is the
/// `f32::exp` of WebAssembly bit for bit.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn exp_shifted(row: &[f32], c: f32, e: &mut [f32]) {
    use core::arch::wasm32::{f32x4_splat, f32x4_sub};
    let e = &mut e[..row.len()];
    let body = row.len() - row.len() % 4;
    let cv = f32x4_splat(c);
    for (e, v) in e[..body].chunks_exact_mut(4).zip(row.chunks_exact(4)) {
        simd::store(e, simd::exp(f32x4_sub(simd::load(v), cv)));
    }
    for (e, &v) in e[body..].iter_mut().zip(&row[body..]) {
        *e = crate::math::expf(v - c);
    }
}

/// `f32::exp` four lanes at a time (WebAssembly).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    pub(super) use crate::model::lanes::{load, store};
    use core::arch::wasm32::{
        f32x4_add, f32x4_convert_i32x4, f32x4_div, f32x4_mul, f32x4_splat, f32x4_sub, i32x4_add,
        i32x4_shl, i32x4_shr, i32x4_splat, i32x4_trunc_sat_f32x4, u32x4_ge, u32x4_gt, u32x4_le,
        v128, v128_and, v128_any_true, v128_bitselect,
    };

    /// e^x in each lane: the `expf` of the `libm` that `f32::exp` calls in WebAssembly (FreeBSD's
    /// `e_expf.c`), operation for operation, the branches as lane selects. Lanes of
    /// |x| ≥ 87.34 (overflow, underflow) or NaN send the whole vector through `f32::exp`.
    pub(super) fn exp(x: v128) -> v128 {
        // libm's constants (6.9314575195e-01, 1.4286067653e-06, 1.4426950216e+00,
        // 1.6666625440e-1, -2.7667332906e-3), by their bits.
        let ln2_hi = f32::from_bits(0x3f31_7200);
        let ln2_lo = f32::from_bits(0x35bf_be8e);
        let inv_ln2 = f32::from_bits(0x3fb8_aa3b);
        let p1 = f32::from_bits(0x3e2a_aa8f);
        let p2 = f32::from_bits(0xbb35_5215);
        let hx = v128_and(x, i32x4_splat(0x7fff_ffff));
        if v128_any_true(u32x4_ge(hx, i32x4_splat(0x42ae_ac50))) {
            let mut v = [0.0f32; 4];
            store(&mut v, x);
            return load(&v.map(f32::exp));
        }
        let negative = i32x4_shr(x, 31);
        // k = round(x / ln 2) for |x| > 1.5 ln 2 (x / ln 2 + ±½, truncated), ±1 for
        // |x| > ½ ln 2, else 0.
        let half = v128_bitselect(f32x4_splat(-0.5), f32x4_splat(0.5), negative);
        let k_far = i32x4_trunc_sat_f32x4(f32x4_add(f32x4_mul(f32x4_splat(inv_ln2), x), half));
        let k_near = v128_bitselect(i32x4_splat(-1), i32x4_splat(1), negative);
        let k = v128_bitselect(
            k_far,
            v128_and(k_near, u32x4_gt(hx, i32x4_splat(0x3eb1_7218))),
            u32x4_gt(hx, i32x4_splat(0x3f85_1592)),
        );
        // With k = 0 these are hi = x, lo = 0, r = x exactly, as libm's k = 0 branch has them.
        let kf = f32x4_convert_i32x4(k);
        let hi = f32x4_sub(x, f32x4_mul(kf, f32x4_splat(ln2_hi)));
        let lo = f32x4_mul(kf, f32x4_splat(ln2_lo));
        let r = f32x4_sub(hi, lo);
        let rr = f32x4_mul(r, r);
        let c = f32x4_sub(
            r,
            f32x4_mul(
                rr,
                f32x4_add(f32x4_splat(p1), f32x4_mul(rr, f32x4_splat(p2))),
            ),
        );
        let y = f32x4_add(
            f32x4_splat(1.0),
            f32x4_add(
                f32x4_sub(
                    f32x4_div(f32x4_mul(r, c), f32x4_sub(f32x4_splat(2.0), c)),
                    lo,
                ),
                hi,
            ),
        );
        // y · 2^k (k in −126..=126 here, so 2^k is a normal number; 2^0 = 1 leaves y as is).
        let scaled = f32x4_mul(y, i32x4_shl(i32x4_add(k, i32x4_splat(0x7f)), 23));
        // |x| ≤ 2^−14: 1 + x.
        v128_bitselect(
            f32x4_add(f32x4_splat(1.0), x),
            scaled,
            u32x4_le(hx, i32x4_splat(0x3900_0000)),
        )
    }
}
