//! The three matrix products of backprop, with a direct path for small matrices.
//!
//! A GEMM library call (matrixmultiply through ndarray) packs its operands into buffers it
//! allocates on every call; for the toy networks of the playground (2-8-8-1 at batch 10) that
//! overhead is most of a training step. Below [`SMALL`] multiply-adds the products are computed
//! here by [`product`], which keeps a tile of outputs in registers (8 or 4 lanes wide, SIMD128 in
//! the browser) while every output element is still summed in the same order as the GEMM kernel
//! sums it: one product at a time along the reduction index, starting from 0, without fused
//! multiply-add. In WebAssembly, where matrixmultiply's kernel does not fuse either, the two
//! paths give bit-identical results; natively matrixmultiply may use FMA.
//!
//! The `small_*` functions are the direct back end of `super::backprop`; the sparse products
//! below are its sparse one.

/// Largest product (multiply-adds) computed by the direct loops.
pub(crate) const SMALL: usize = 16 * 1024;

/// `c[i·ci + j·cj] = Σ_t a[i·ai + t·at] · b[t·n + j]` for `i < m`, `j < n`, `t < k`: `b` is a
/// row-major `[k, n]` matrix, `a` and `c` any strided `[m, k]` and `[m, n]` views of slices.
///
/// Every sum starts from 0.0 and adds one product at a time in ascending `t` (a multiply, then an
/// add: Rust never fuses them), exactly as the plain triple loop would; only the loops around the
/// sums differ. Columns go 8 (then 4) at a time and rows 4 (then 2, then 1) at a time: a tile of
/// up to 4 × 8 sums stays in registers over the whole reduction, vectorized along the columns
/// (SIMD128 in the browser, SSE natively), and its independent sums hide the latency of the adds.
/// The last `n mod 4` columns are summed 4 rows at a time (where each row of `a` is contiguous, as
/// in the forward pass and the input gradient, through one checked slice per row rather than an
/// index check per product: the 2-8-8-1 network's single output column is such a tail).
///
/// With a non-empty `bias` (`n` values), `bias[j]` is added to each finished sum of column `j`
/// (after the sum, as a separate add: the forward pass's `x · wᵀ + b`).
fn product(
    a: &[f32],
    a_strides: (usize, usize),
    b: &[f32],
    out: Out,
    (m, n, k): (usize, usize, usize),
) {
    let (ai, at) = a_strides;
    let Out {
        c,
        strides: (ci, cj),
        bias,
    } = out;
    let mut j = 0;
    while j + 8 <= n {
        let out = Out {
            c: &mut *c,
            strides: (ci, cj),
            bias,
        };
        columns::<8>(a, a_strides, &b[j..], out, j, (m, n, k));
        j += 8;
    }
    if j + 4 <= n {
        let out = Out {
            c: &mut *c,
            strides: (ci, cj),
            bias,
        };
        columns::<4>(a, a_strides, &b[j..], out, j, (m, n, k));
        j += 4;
    }
    let bias_at = |j: usize| if bias.is_empty() { None } else { Some(bias[j]) };
    for j in j..n {
        let mut i = 0;
        while i + 4 <= m {
            let mut acc = [0.0f32; 4];
            if at == 1 {
                // Rows of `a` contiguous along t: one checked slice per row.
                let rows: [&[f32]; 4] = std::array::from_fn(|q| &a[(i + q) * ai..][..k]);
                for (t, &bv) in b[j..].iter().step_by(n).take(k).enumerate() {
                    for (s, row) in acc.iter_mut().zip(rows) {
                        *s += row[t] * bv;
                    }
                }
            } else {
                for t in 0..k {
                    let bv = b[t * n + j];
                    for (q, s) in acc.iter_mut().enumerate() {
                        *s += a[(i + q) * ai + t * at] * bv;
                    }
                }
            }
            for (q, v) in acc.into_iter().enumerate() {
                c[(i + q) * ci + j * cj] = bias_at(j).map_or(v, |b| v + b);
            }
            i += 4;
        }
        for i in i..m {
            let mut s = 0.0f32;
            for t in 0..k {
                s += a[i * ai + t * at] * b[t * n + j];
            }
            c[i * ci + j * cj] = bias_at(j).map_or(s, |b| s + b);
        }
    }
}

/// Where [`product`] writes: `c` with its `(row, column)` strides, and a bias to add per column
/// (empty for none).
struct Out<'a> {
    c: &'a mut [f32],
    strides: (usize, usize),
    bias: &'a [f32],
}

/// [`product`] for the `W` columns from `j` (`b` starts at column `j`), every row.
#[inline(always)]
fn columns<const W: usize>(
    a: &[f32],
    (ai, at): (usize, usize),
    b: &[f32],
    out: Out,
    j: usize,
    (m, n, k): (usize, usize, usize),
) {
    /// The `R × W` sums over `t` of `a[q·ai + t·at] · b[t·n..][..W]`, `q < R`.
    #[inline(always)]
    fn tile<const R: usize, const W: usize>(
        a: &[f32],
        (ai, at): (usize, usize),
        b: &[f32],
        (n, k): (usize, usize),
    ) -> [[f32; W]; R] {
        let mut acc = [[0.0f32; W]; R];
        for t in 0..k {
            let bv: &[f32; W] = b[t * n..t * n + W].try_into().expect("W columns");
            for (q, acc) in acc.iter_mut().enumerate() {
                let av = a[q * ai + t * at];
                for (s, &bv) in acc.iter_mut().zip(bv) {
                    *s += av * bv;
                }
            }
        }
        acc
    }
    /// Writes rows `i..` of a tile (plus the bias, if any).
    #[inline(always)]
    fn put<const R: usize, const W: usize>(
        out: &mut Out,
        (i, j): (usize, usize),
        acc: [[f32; W]; R],
    ) {
        let (ci, cj) = out.strides;
        let c = &mut *out.c;
        for (q, mut row) in acc.into_iter().enumerate() {
            if !out.bias.is_empty() {
                let bias: &[f32; W] = out.bias[j..j + W].try_into().expect("W columns");
                for (v, &b) in row.iter_mut().zip(bias) {
                    *v += b;
                }
            }
            let start = (i + q) * ci + j * cj;
            if cj == 1 {
                c[start..start + W].copy_from_slice(&row);
            } else {
                for (l, v) in row.into_iter().enumerate() {
                    c[start + l * cj] = v;
                }
            }
        }
    }
    let mut out = out;
    let mut i = 0;
    while i + 4 <= m {
        let acc = tile::<4, W>(&a[i * ai..], (ai, at), b, (n, k));
        put(&mut out, (i, j), acc);
        i += 4;
    }
    if i + 2 <= m {
        let acc = tile::<2, W>(&a[i * ai..], (ai, at), b, (n, k));
        put(&mut out, (i, j), acc);
        i += 2;
    }
    if i < m {
        let acc = tile::<1, W>(&a[i * ai..], (ai, at), b, (n, k));
        put(&mut out, (i, j), acc);
    }
}

/// z = x · wᵀ + bias on row-major slices: x `[b, in]`, w `[out, in]`, bias `[out]`, z
/// `[b, out]`; `wt` is scratch for wᵀ. Each z is its sum, then plus its bias.
pub(crate) fn small_forward(
    (x, w, bias): (&[f32], &[f32], &[f32]),
    z: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
    wt: &mut Vec<f32>,
) {
    // wᵀ `[in, out]`, so that a tile of z's row is a contiguous run of each wᵀ row. Every entry
    // is overwritten, so the scratch only grows (never shrinks and refills: one buffer serves
    // layers of several sizes, and a fill is a `memory.fill`, a call out of wasm code in V8).
    if wt.len() < n_in * n_out {
        wt.resize(n_in * n_out, 0.0);
    }
    let wt = &mut wt[..n_in * n_out];
    transpose(&w[..n_out * n_in], (n_out, n_in), wt);
    let out = Out {
        c: z,
        strides: (n_out, 1),
        bias: &bias[..n_out],
    };
    product(x, (n_in, 1), wt, out, (b, n_out, n_in));
}

/// `wt = wᵀ` for a row-major `[rows, cols]` matrix `w` (`wt` is `[cols, rows]`), taking 8 rows of
/// `w` at a time (then 4, then single rows), so that each write is a run of 8 (or 4) values and
/// each loop iteration moves as many (a loop iteration of wasm code costs V8 an interrupt check).
fn transpose(w: &[f32], (rows, cols): (usize, usize), wt: &mut [f32]) {
    #[inline(always)]
    fn block<const R: usize>(w: &[f32], (rows, cols): (usize, usize), j: usize, wt: &mut [f32]) {
        let src: [&[f32]; R] = std::array::from_fn(|q| &w[(j + q) * cols..(j + q + 1) * cols]);
        for (k, dst) in wt.chunks_exact_mut(rows).take(cols).enumerate() {
            let v: [f32; R] = std::array::from_fn(|q| src[q][k]);
            dst[j..j + R].copy_from_slice(&v);
        }
    }
    let mut j = 0;
    while j + 8 <= rows {
        block::<8>(w, (rows, cols), j, wt);
        j += 8;
    }
    if j + 4 <= rows {
        block::<4>(w, (rows, cols), j, wt);
        j += 4;
    }
    for j in j..rows {
        block::<1>(w, (rows, cols), j, wt);
    }
}

/// gb = Σ over the rows of δ (row-major `[rows, gb.len()]`): each sum from 0.0, adding the rows
/// in order (the order ndarray's `sum_axis(Axis(0))` adds in for a row-major matrix), 8 or 4
/// columns at a time in registers.
pub(crate) fn column_sums(delta: &[f32], gb: &mut [f32]) {
    #[inline(always)]
    fn tile<const W: usize>(delta: &[f32], n: usize, j: usize) -> [f32; W] {
        let mut acc = [0.0f32; W];
        for row in delta.chunks_exact(n) {
            let v: &[f32; W] = row[j..j + W].try_into().expect("W columns");
            for (s, &v) in acc.iter_mut().zip(v) {
                *s += v;
            }
        }
        acc
    }
    let n = gb.len();
    let mut j = 0;
    while j + 8 <= n {
        gb[j..j + 8].copy_from_slice(&tile::<8>(delta, n, j));
        j += 8;
    }
    if j + 4 <= n {
        gb[j..j + 4].copy_from_slice(&tile::<4>(delta, n, j));
        j += 4;
    }
    for (j, g) in gb.iter_mut().enumerate().skip(j) {
        *g = delta.chunks_exact(n).fold(0.0, |s, row| s + row[j]);
    }
}

/// gw = δᵀ · x on row-major slices: δ `[b, out]`, x `[b, in]`, gw `[out, in]`. Vectorized along
/// whichever of `in` and `out` leaves fewer columns to the scalar tail (a 2-input first layer
/// goes along `out`, computing gwᵀ = xᵀ · δ: the same products, x·δ = δ·x exactly).
pub(crate) fn small_weight_grad(
    delta: &[f32],
    x: &[f32],
    gw: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
) {
    if (n_in % 4) * n_out <= (n_out % 4) * n_in {
        let out = Out {
            c: gw,
            strides: (n_in, 1),
            bias: &[],
        };
        product(delta, (1, n_out), x, out, (n_out, n_in, b));
    } else {
        let out = Out {
            c: gw,
            strides: (1, n_in),
            bias: &[],
        };
        product(x, (1, n_in), delta, out, (n_in, n_out, b));
    }
}

/// dx = δ · w on row-major slices: δ `[b, out]`, w `[out, in]`, dx `[b, in]`.
pub(crate) fn small_input_grad(
    delta: &[f32],
    w: &[f32],
    dx: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
) {
    let out = Out {
        c: dx,
        strides: (n_in, 1),
        bias: &[],
    };
    product(delta, (n_out, 1), w, out, (b, n_in, n_out));
}

/// z ← z + bias, row by row, for a row-major `[rows, bias.len()]` block.
pub(crate) fn add_bias(z: &mut [f32], bias: &[f32]) {
    for row in z.chunks_exact_mut(bias.len()) {
        for (v, &b) in row.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// A layer whose share of alive weights is below this trains with the sparse products below
/// (measured crossover, see BENCHMARKS.md "Latest run" and the native sparsity sweep).
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
            let (xs, ws, ds) = (
                x.as_slice().unwrap(),
                w.as_slice().unwrap(),
                d.as_slice().unwrap(),
            );
            let dims = (b, n_in, n_out);
            let mut z = Array2::zeros((b, n_out));
            let bias = vec![0.0; n_out];
            let zs = z.as_slice_mut().unwrap();
            small_forward((xs, ws, &bias), zs, dims, &mut Vec::new());
            close(&z, x.dot(&w.t()));
            let mut gw = Array2::zeros((n_out, n_in));
            small_weight_grad(ds, xs, gw.as_slice_mut().unwrap(), dims);
            close(&gw, d.t().dot(&x));
            let mut dx = Array2::zeros((b, n_in));
            small_input_grad(ds, ws, dx.as_slice_mut().unwrap(), dims);
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

    /// First index where two slices differ bit for bit (signed zeros included; any NaN equals any
    /// NaN), if any.
    fn strictly_differ(a: &[f32], b: &[f32]) -> Option<(usize, f32, f32)> {
        assert_eq!(a.len(), b.len());
        (0..a.len())
            .find(|&i| a[i].to_bits() != b[i].to_bits() && !(a[i].is_nan() && b[i].is_nan()))
            .map(|i| (i, a[i], b[i]))
    }

    /// The direct products and column sums are, bit for bit, the plain sums in ascending index
    /// from 0.0 with one product at a time — what the loops they replaced computed — on shapes
    /// that exercise every tile (8 and 4 columns; 4, 2 and 1 rows; the scalar tail columns; both
    /// orientations of the weight gradient), with signed zeros, infinities and NaNs among the
    /// values.
    #[test]
    fn direct_products_are_the_ordered_sums_bit_for_bit() {
        let mut rng = crate::rng::seeded(13);
        for (b, n_in, n_out) in [
            (1, 1, 1),
            (10, 2, 8),
            (10, 8, 8),
            (10, 8, 1),
            (7, 3, 5),
            (9, 13, 6),
            (5, 6, 13),
            (3, 17, 11),
            (32, 16, 32),
            (4, 12, 4),
            (2, 2, 2),
        ] {
            let mut x = random(b, n_in, &mut rng);
            let w = random(n_out, n_in, &mut rng);
            let mut d = random(b, n_out, &mut rng);
            // Specials: −0.0 products (a −0.0 sum must come out +0.0), ±∞ and NaN.
            x[[0, 0]] = -0.0;
            d[[b - 1, n_out - 1]] = -0.0;
            if b * n_in > 4 {
                x[[b - 1, n_in - 1]] = f32::INFINITY;
                d[[0, 0]] = f32::NAN;
            }
            let (xs, ws, ds) = (
                x.as_slice().unwrap(),
                w.as_slice().unwrap(),
                d.as_slice().unwrap(),
            );
            let dims = (b, n_in, n_out);
            let bias: Vec<f32> = (0..n_out).map(|j| j as f32 * 0.25 - 1.0).collect();
            let z_ref = Array2::from_shape_fn((b, n_out), |(r, j)| {
                (0..n_in).fold(0.0f32, |acc, k| acc + x[[r, k]] * w[[j, k]]) + bias[j]
            });
            let mut z = vec![f32::NAN; b * n_out];
            small_forward((xs, ws, &bias), &mut z, dims, &mut Vec::new());
            assert_eq!(
                strictly_differ(&z, z_ref.as_slice().unwrap()),
                None,
                "forward {dims:?}"
            );
            let gw_ref = Array2::from_shape_fn((n_out, n_in), |(j, k)| {
                (0..b).fold(0.0f32, |acc, r| acc + d[[r, j]] * x[[r, k]])
            });
            let mut gw = vec![f32::NAN; n_out * n_in];
            small_weight_grad(ds, xs, &mut gw, dims);
            assert_eq!(
                strictly_differ(&gw, gw_ref.as_slice().unwrap()),
                None,
                "weight grad {dims:?}"
            );
            let dx_ref = Array2::from_shape_fn((b, n_in), |(r, k)| {
                (0..n_out).fold(0.0f32, |acc, j| acc + d[[r, j]] * w[[j, k]])
            });
            let mut dx = vec![f32::NAN; b * n_in];
            small_input_grad(ds, ws, &mut dx, dims);
            assert_eq!(
                strictly_differ(&dx, dx_ref.as_slice().unwrap()),
                None,
                "input grad {dims:?}"
            );
            let gb_ref: Vec<f32> = (0..n_out)
                .map(|j| (0..b).fold(0.0f32, |acc, r| acc + d[[r, j]]))
                .collect();
            let mut gb = vec![f32::NAN; n_out];
            column_sums(ds, &mut gb);
            assert_eq!(strictly_differ(&gb, &gb_ref), None, "column sums {dims:?}");
        }
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
