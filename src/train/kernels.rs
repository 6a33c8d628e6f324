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

/// A layer whose share of alive weights is below this trains with the sparse products below
/// (measured crossover, see BENCHMARKS.md "Sparse kernels in the engine").
pub(crate) const SPARSE_BELOW: f64 = 0.15;

/// Layers smaller than this many weights always train dense (the sparse path's transposes cost
/// more than the few products they save).
pub(crate) const SPARSE_MIN_WEIGHTS: usize = 4096;

/// The alive weights of a layer, row by row (compressed sparse rows of the mask): row `j`'s
/// alive columns are `cols[ptr[j]..ptr[j + 1]]`, ascending. Values stay in the dense weight
/// matrix (masked entries are exactly 0 there), so nothing has to be kept in sync.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alive {
    ptr: Vec<usize>,
    cols: Vec<u32>,
}

impl Alive {
    /// Rebuilds from a row-major `[out, in]` mask; returns the number of alive weights.
    pub(crate) fn build(&mut self, mask: &[f32], n_in: usize) -> usize {
        self.ptr.clear();
        self.cols.clear();
        self.ptr.push(0);
        for row in mask.chunks_exact(n_in) {
            for (k, &m) in row.iter().enumerate() {
                if m != 0.0 {
                    self.cols.push(k as u32);
                }
            }
            self.ptr.push(self.cols.len());
        }
        self.cols.len()
    }

    fn row(&self, j: usize) -> &[u32] {
        &self.cols[self.ptr[j]..self.ptr[j + 1]]
    }
}

/// Scratch for the sparse products: the batch transposed (`[features, batch]`), so that every
/// alive weight costs one contiguous multiply-add over the batch, which vectorizes.
#[derive(Debug, Clone, Default)]
pub(crate) struct SparseScratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

/// `t = mᵀ` for a row-major `[rows, cols]` matrix `m`.
fn transpose_into(m: &[f32], rows: usize, cols: usize, t: &mut Vec<f32>) {
    t.clear();
    t.resize(rows * cols, 0.0);
    for (r, row) in m.chunks_exact(cols).enumerate() {
        for (c, &v) in row.iter().enumerate() {
            t[c * rows + r] = v;
        }
    }
}

/// `dst[i] += w · src[i]`, the inner loop of the sparse products.
#[inline]
fn axpy(dst: &mut [f32], w: f32, src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += w * s;
    }
}

/// z = x · wᵀ over the alive weights only: x `[b, in]`, w `[out, in]`, z `[b, out]`. Every
/// output sums its terms in the order of the dense loops (ascending input index), skipping the
/// masked ones, whose products are zero.
pub(crate) fn sparse_forward(
    x: &[f32],
    w: &[f32],
    alive: &Alive,
    (b, n_in, n_out): (usize, usize, usize),
    z: &mut [f32],
    s: &mut SparseScratch,
) {
    transpose_into(x, b, n_in, &mut s.a); // xᵀ: [in, b]
    s.b.clear();
    s.b.resize(n_out * b, 0.0); // zᵀ: [out, b]
    for (j, zt) in s.b.chunks_exact_mut(b).enumerate() {
        let wr = &w[j * n_in..(j + 1) * n_in];
        for &k in alive.row(j) {
            let k = k as usize;
            axpy(zt, wr[k], &s.a[k * b..(k + 1) * b]);
        }
    }
    for (r, zr) in z.chunks_exact_mut(n_out).enumerate() {
        for (j, v) in zr.iter_mut().enumerate() {
            *v = s.b[j * b + r];
        }
    }
}

/// gw = δᵀ · x at the alive weights (0 at the masked ones, whose gradients training drops):
/// δ `[b, out]`, x `[b, in]`, gw `[out, in]`. Each sum runs over the batch in order, as the
/// dense loops do.
pub(crate) fn sparse_weight_grad(
    delta: &[f32],
    x: &[f32],
    alive: &Alive,
    (b, n_in, n_out): (usize, usize, usize),
    gw: &mut [f32],
    s: &mut SparseScratch,
) {
    transpose_into(x, b, n_in, &mut s.a); // xᵀ: [in, b]
    transpose_into(delta, b, n_out, &mut s.b); // δᵀ: [out, b]
    gw.fill(0.0);
    for (j, gr) in gw.chunks_exact_mut(n_in).enumerate() {
        let dt = &s.b[j * b..(j + 1) * b];
        for &k in alive.row(j) {
            let k = k as usize;
            let xt = &s.a[k * b..(k + 1) * b];
            gr[k] = dt.iter().zip(xt).fold(0.0, |acc, (&d, &x)| acc + d * x);
        }
    }
}

/// dx = δ · w over the alive weights: δ `[b, out]`, w `[out, in]`, dx `[b, in]`; each sum in
/// ascending output index, as the dense loops do.
pub(crate) fn sparse_input_grad(
    delta: &[f32],
    w: &[f32],
    alive: &Alive,
    (b, n_in, n_out): (usize, usize, usize),
    dx: &mut [f32],
    s: &mut SparseScratch,
) {
    transpose_into(delta, b, n_out, &mut s.b); // δᵀ: [out, b]
    s.a.clear();
    s.a.resize(n_in * b, 0.0); // dxᵀ: [in, b]
    for j in 0..n_out {
        let wr = &w[j * n_in..(j + 1) * n_in];
        let dt = &s.b[j * b..(j + 1) * b];
        for &k in alive.row(j) {
            let k = k as usize;
            axpy(&mut s.a[k * b..(k + 1) * b], wr[k], dt);
        }
    }
    for (r, xr) in dx.chunks_exact_mut(n_in).enumerate() {
        for (k, v) in xr.iter_mut().enumerate() {
            *v = s.a[k * b + r];
        }
    }
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

    /// First index where two slices differ bit for bit, if any.
    fn differ(a: &[f32], b: &[f32]) -> Option<(usize, f32, f32)> {
        assert_eq!(a.len(), b.len());
        (0..a.len())
            .find(|&i| a[i].to_bits() != b[i].to_bits() && !(a[i] == 0.0 && b[i] == 0.0))
            .map(|i| (i, a[i], b[i]))
    }

    /// The sparse products over a random mask equal plain sums over every weight in the dense
    /// loops' order (ascending index, one multiply-add at a time) bit for bit — the skipped terms
    /// are zero — at several densities and shapes, with zero gradients at the masked weights.
    #[test]
    fn sparse_products_equal_the_dense_sums() {
        let mut rng = crate::rng::seeded(11);
        for (b, n_in, n_out, density) in [
            (10, 8, 8, 0.5),
            (32, 40, 100, 0.1),
            (7, 50, 60, 0.02),
            (3, 5, 4, 0.0),
            (16, 30, 20, 1.0),
        ] {
            let x = random(b, n_in, &mut rng);
            let d = random(b, n_out, &mut rng);
            let mask = Array2::from_shape_simple_fn((n_out, n_in), || {
                f32::from(u8::from(rng.random::<f64>() < density))
            });
            let w = random(n_out, n_in, &mut rng) * &mask;
            let mut alive = Alive::default();
            let nnz = alive.build(mask.as_slice().unwrap(), n_in);
            assert_eq!(nnz, mask.iter().filter(|&&m| m == 1.0).count());
            let dims = (b, n_in, n_out);
            let mut s = SparseScratch::default();
            let (xs, ws, ds) = (
                x.as_slice().unwrap(),
                w.as_slice().unwrap(),
                d.as_slice().unwrap(),
            );

            let z_ref = Array2::from_shape_fn((b, n_out), |(r, j)| {
                (0..n_in).fold(0.0f32, |acc, k| acc + x[[r, k]] * w[[j, k]])
            });
            let mut z = vec![f32::NAN; b * n_out];
            sparse_forward(xs, ws, &alive, dims, &mut z, &mut s);
            assert_eq!(
                differ(&z, z_ref.as_slice().unwrap()),
                None,
                "forward {dims:?}"
            );

            let gw_ref = Array2::from_shape_fn((n_out, n_in), |(j, k)| {
                mask[[j, k]] * (0..b).fold(0.0f32, |acc, r| acc + d[[r, j]] * x[[r, k]])
            });
            let mut gw = vec![f32::NAN; n_out * n_in];
            sparse_weight_grad(ds, xs, &alive, dims, &mut gw, &mut s);
            assert_eq!(
                differ(&gw, gw_ref.as_slice().unwrap()),
                None,
                "weight grad {dims:?}"
            );

            let dx_ref = Array2::from_shape_fn((b, n_in), |(r, k)| {
                (0..n_out).fold(0.0f32, |acc, j| acc + d[[r, j]] * w[[j, k]])
            });
            let mut dx = vec![f32::NAN; b * n_in];
            sparse_input_grad(ds, ws, &alive, dims, &mut dx, &mut s);
            assert_eq!(
                differ(&dx, dx_ref.as_slice().unwrap()),
                None,
                "input grad {dims:?}"
            );
        }
    }
}
