//! The three matrix products of backprop, with a direct path for small matrices.
//!
//! A GEMM library call (matrixmultiply through ndarray) packs its operands into buffers it
//! allocates on every call; for the toy networks of the playground (2-8-8-1 at batch 10) that
//! overhead is most of a training step. Below [`SMALL`] multiply-adds the products are computed
//! here with plain loops whose inner loop runs over contiguous memory (so the compiler vectorizes
//! it, SIMD128 in the browser) while every output element is still summed in the same order as
//! the GEMM kernel sums it: one product at a time along the reduction index, starting from 0,
//! without fused multiply-add. In WebAssembly, where matrixmultiply's kernel does not fuse
//! either, the two paths give bit-identical results; natively matrixmultiply may use FMA.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Largest product (multiply-adds) computed by the direct loops.
pub(crate) const SMALL: usize = 16 * 1024;

fn slice<'a>(a: &'a ArrayView2<f32>) -> Option<&'a [f32]> {
    a.as_slice()
}

/// z = x · wᵀ: x `[b, in]`, w `[out, in]` (PyTorch's layout), z `[b, out]`. `wt` is scratch for
/// wᵀ (`in × out` values or more).
pub(crate) fn forward(
    x: ArrayView2<f32>,
    w: ArrayView2<f32>,
    mut z: ArrayViewMut2<f32>,
    wt: &mut Vec<f32>,
) {
    let (b, n_in) = x.dim();
    let n_out = w.nrows();
    if let (true, Some(xs), Some(ws)) = (b * n_in * n_out <= SMALL, slice(&x), slice(&w)) {
        if let Some(zs) = z.as_slice_mut() {
            // wᵀ, so that the inner loop runs along z's row.
            wt.clear();
            wt.resize(n_in * n_out, 0.0);
            for (j, row) in ws.chunks_exact(n_in).enumerate() {
                for (k, &v) in row.iter().enumerate() {
                    wt[k * n_out + j] = v;
                }
            }
            for (zr, xr) in zs.chunks_exact_mut(n_out).zip(xs.chunks_exact(n_in)) {
                zr.fill(0.0);
                for (&xv, wr) in xr.iter().zip(wt.chunks_exact(n_out)) {
                    for (o, &wv) in zr.iter_mut().zip(wr) {
                        *o += xv * wv;
                    }
                }
            }
            return;
        }
    }
    general_mat_mul(1.0, &x, &w.t(), 0.0, &mut z);
}

/// gw = δᵀ · x: δ `[b, out]`, x `[b, in]`, gw `[out, in]`.
pub(crate) fn weight_grad(delta: ArrayView2<f32>, x: ArrayView2<f32>, mut gw: ArrayViewMut2<f32>) {
    let (b, n_out) = delta.dim();
    let n_in = x.ncols();
    if let (true, Some(ds), Some(xs)) = (b * n_in * n_out <= SMALL, slice(&delta), slice(&x)) {
        if let Some(gs) = gw.as_slice_mut() {
            gs.fill(0.0);
            for (dr, xr) in ds.chunks_exact(n_out).zip(xs.chunks_exact(n_in)) {
                for (&dv, gr) in dr.iter().zip(gs.chunks_exact_mut(n_in)) {
                    for (g, &xv) in gr.iter_mut().zip(xr) {
                        *g += dv * xv;
                    }
                }
            }
            return;
        }
    }
    general_mat_mul(1.0, &delta.t(), &x, 0.0, &mut gw);
}

/// dx = δ · w: δ `[b, out]`, w `[out, in]`, dx `[b, in]`.
pub(crate) fn input_grad(delta: ArrayView2<f32>, w: ArrayView2<f32>, mut dx: ArrayViewMut2<f32>) {
    let (b, n_out) = delta.dim();
    let n_in = w.ncols();
    if let (true, Some(ds), Some(ws)) = (b * n_in * n_out <= SMALL, slice(&delta), slice(&w)) {
        if let Some(xs) = dx.as_slice_mut() {
            for (xr, dr) in xs.chunks_exact_mut(n_in).zip(ds.chunks_exact(n_out)) {
                xr.fill(0.0);
                for (&dv, wr) in dr.iter().zip(ws.chunks_exact(n_in)) {
                    for (o, &wv) in xr.iter_mut().zip(wr) {
                        *o += dv * wv;
                    }
                }
            }
            return;
        }
    }
    general_mat_mul(1.0, &delta, &w, 0.0, &mut dx);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::Rng;

    fn random(r: usize, c: usize, rng: &mut crate::rng::Rng) -> Array2<f32> {
        Array2::from_shape_simple_fn((r, c), || rng.random_range(-1.0f32..1.0))
    }

    /// The direct loops compute the same products as the GEMM (to f32 round-off: natively the
    /// GEMM may fuse multiply-adds), on small shapes, shapes at the threshold and large ones.
    #[test]
    fn direct_products_match_gemm() {
        let mut rng = crate::rng::seeded(9);
        for (b, n_in, n_out) in [
            (1, 1, 1),
            (10, 2, 8),
            (10, 8, 8),
            (10, 8, 1),
            (32, 16, 32),
            (7, 50, 60),
        ] {
            let x = random(b, n_in, &mut rng);
            let w = random(n_out, n_in, &mut rng);
            let d = random(b, n_out, &mut rng);
            let close = |a: &Array2<f32>, e: Array2<f32>| {
                for (u, v) in a.iter().zip(&e) {
                    assert!(
                        (u - v).abs() <= 1e-5 * (1.0 + v.abs()),
                        "{b}×{n_in}×{n_out}: {u} vs {v}"
                    );
                }
            };
            let mut z = Array2::zeros((b, n_out));
            forward(x.view(), w.view(), z.view_mut(), &mut Vec::new());
            close(&z, x.dot(&w.t()));
            let mut gw = Array2::zeros((n_out, n_in));
            weight_grad(d.view(), x.view(), gw.view_mut());
            close(&gw, d.t().dot(&x));
            let mut dx = Array2::zeros((b, n_in));
            input_grad(d.view(), w.view(), dx.view_mut());
            close(&dx, d.dot(&w));
        }
    }
}
