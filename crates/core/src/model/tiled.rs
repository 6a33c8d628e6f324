//! Register-tiled matrix products: every layer's forward pass (`Dense::forward`, so evaluation
//! and prediction) and the training products too large for the direct loops of
//! `train::kernels`, natively and in WebAssembly alike.
//!
//! A tile is 4 rows × 8 columns of the output — 8 vector accumulators, 2 vectors of the right
//! operand and a splat of the left one per reduction index — and the right operand is packed once
//! per call into zero-padded panels of 8 columns, so an edge (a layer of 100 neurons is 12 panels
//! and 4 columns) costs only a shorter store. matrixmultiply's WebAssembly kernel has 8 × 8 tiles
//! (16 accumulators) and computes edge tiles into a buffer it then copies; on the MNIST-1D
//! network's products (100 × 100 × 100, 100 × 100 × 40 …) this kernel took about 0.7 of its time
//! in Node (a micro-benchmark, both on the same data).
//!
//! Every output is one fixed sum: starting from 0.0, one product at a time in ascending
//! reduction index (a multiply, then an add, never fused), in blocks of [`KC`] indices — each
//! block's sum on its own, then added to the sum of the blocks before it — and, with a bias, plus
//! the bias after the sum. In WebAssembly the tile runs in SIMD128, which has no fused
//! multiply-add; elsewhere it is portable Rust, which the compiler never fuses either: so the CLI
//! and the browser compute the same bits from the same seed. That sum is also matrixmultiply's in
//! WebAssembly (`tests/web.rs` checks it), but not natively, where its AVX2 and AVX-512 kernels
//! fuse: the GEMM library is therefore no default back end anywhere.

use ndarray::Array2;

/// Reduction indices per block: matrixmultiply's `kc` for `f32`, so that sums longer than this
/// are split (and added) where the GEMM splits them.
pub(crate) const KC: usize = 256;

/// Rows of the left operand per block: the tiles of one block run over every panel of the right
/// operand while its rows stay in cache.
const MC: usize = 256;

/// Columns per panel and tile (two 4-lane vectors).
const NR: usize = 8;

/// Rows per tile (the last rows of a block go 3, 2 or 1 at a time).
const MR: usize = 4;

/// The right operand of a product, a `[k, n]` matrix `B`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Right<'a> {
    /// `B` itself, row-major: `B[t][j] = s[t·n + j]`.
    Rows(&'a [f32]),
    /// `B`'s transpose, row-major `[n, k]`: `B[t][j] = s[j·k + t]` (a weight matrix `W`
    /// `[out, in]` in the forward product `x · Wᵀ`).
    Transposed(&'a [f32]),
}

impl<'a> Right<'a> {
    /// `Wᵀ` (`[in, out]`), the right operand of the forward product `x · Wᵀ`, read from a weight
    /// matrix `W` (`[out, in]`) in either memory order: row-major, or column-major as structured
    /// pruning leaves it. `None` if `W` is contiguous in neither.
    pub(crate) fn weights_transposed(w: &'a Array2<f32>) -> Option<Self> {
        match w.as_slice() {
            Some(s) => Some(Right::Transposed(s)),
            None => w.t().to_slice().map(Right::Rows),
        }
    }

    /// `W` itself (`[out, in]`), the right operand of the input gradient `δ · W`, in either
    /// memory order as for [`Right::weights_transposed`].
    pub(crate) fn weights(w: &'a Array2<f32>) -> Option<Self> {
        match w.as_slice() {
            Some(s) => Some(Right::Rows(s)),
            None => w.t().to_slice().map(Right::Transposed),
        }
    }
}

/// Scratch for the right operand, packed into panels of [`NR`] columns: panel `p` holds
/// `B[t][p·NR + l]` at `p·kc·NR + t·NR + l` for the current block of `kc` reduction indices,
/// 0.0 past the last column (the buffer may be longer, from a larger product before).
#[derive(Debug, Clone, Default)]
pub(crate) struct Panels {
    buf: Vec<f32>,
}

impl Panels {
    /// Packs rows `t0..t0 + kc` of `B` (`[k, n]`).
    fn pack(&mut self, b: Right, (n, k): (usize, usize), t0: usize, kc: usize) {
        let panels = n.div_ceil(NR);
        // Every value is written below (the padding too), so the buffer is only grown.
        if self.buf.len() < panels * kc * NR {
            self.buf.resize(panels * kc * NR, 0.0);
        }
        let buf = &mut self.buf[..panels * kc * NR];
        let full = n / NR;
        match b {
            Right::Rows(s) => {
                for t in 0..kc {
                    let row = &s[(t0 + t) * n..(t0 + t + 1) * n];
                    let (body, tail) = row.split_at(full * NR);
                    // Whole panels as fixed-size copies (a short `copy_from_slice` of unknown
                    // length is a call to memcpy in WebAssembly).
                    for (p, cols) in body.chunks_exact(NR).enumerate() {
                        let at = p * kc * NR + t * NR;
                        let dst: &mut [f32; NR] = (&mut buf[at..at + NR]).try_into().expect("NR");
                        *dst = cols.try_into().expect("NR columns");
                    }
                    if !tail.is_empty() {
                        let at = full * kc * NR + t * NR;
                        let dst = &mut buf[at..at + NR];
                        for (l, d) in dst.iter_mut().enumerate() {
                            *d = tail.get(l).copied().unwrap_or(0.0);
                        }
                    }
                }
            }
            Right::Transposed(s) => {
                for j in 0..n {
                    let col = &s[j * k + t0..j * k + t0 + kc];
                    let panel = &mut buf[(j / NR) * kc * NR..(j / NR + 1) * kc * NR];
                    for (dst, &v) in panel[j % NR..].iter_mut().step_by(NR).zip(col) {
                        *dst = v;
                    }
                }
                if n % NR != 0 {
                    let panel = &mut buf[full * kc * NR..];
                    for row in panel.chunks_exact_mut(NR) {
                        row[n % NR..].fill(0.0);
                    }
                }
            }
        }
    }
}

/// `C = A · B`, plus `bias[j]` on every output of column `j` if given: `A` is `[m, k]` read as
/// `a[i·ai + t·at]` (so `A` may be a transposed view), `B` as [`Right`] says, `C` row-major
/// `[m, n]` with rows `ldc` apart (`c[i·ldc + j]`; the rest of each row is left alone).
///
/// Each output is summed as the module documentation says: the same bits natively and in
/// WebAssembly, where this also equals matrixmultiply's `general_mat_mul(1.0, A, B, 0.0, C)`
/// (then the bias).
pub(crate) fn matmul(
    a: (&[f32], (usize, usize)),
    b: Right,
    c: (&mut [f32], usize),
    bias: Option<&[f32]>,
    dims: (usize, usize, usize),
    panels: &mut Panels,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { matmul_avx(a, b, c, bias, dims, panels) };
    }
    matmul_body(a, b, c, bias, dims, panels);
}

/// [`matmul`] compiled for AVX: the portable tile's 8 lanes become one 256-bit vector per row
/// (twice SSE's width). AVX has no fused multiply-add, and Rust never contracts a multiply and
/// an add into one, so the sums are the same as everywhere else.
///
/// # Safety
/// The CPU must have AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn matmul_avx(
    a: (&[f32], (usize, usize)),
    b: Right,
    c: (&mut [f32], usize),
    bias: Option<&[f32]>,
    dims: (usize, usize, usize),
    panels: &mut Panels,
) {
    matmul_body(a, b, c, bias, dims, panels);
}

#[inline(always)]
fn matmul_body(
    (a, (ai, at)): (&[f32], (usize, usize)),
    b: Right,
    (c, ldc): (&mut [f32], usize),
    bias: Option<&[f32]>,
    (m, n, k): (usize, usize, usize),
    panels: &mut Panels,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            for (j, v) in row[..n].iter_mut().enumerate() {
                *v = bias.map_or(0.0, |b| 0.0 + b[j]);
            }
        }
        return;
    }
    let bias = bias.map(|b| &b[..n]);
    for t0 in (0..k).step_by(KC) {
        let kc = (k - t0).min(KC);
        panels.pack(b, (n, k), t0, kc);
        let block = Block {
            first: t0 == 0,
            bias: if t0 + kc == k { bias } else { None },
            n,
            kc,
        };
        for i0 in (0..m).step_by(MC) {
            let i1 = (i0 + MC).min(m);
            let packed = &panels.buf[..n.div_ceil(NR) * kc * NR];
            for (p, panel) in packed.chunks_exact(kc * NR).enumerate() {
                let j = p * NR;
                let mut i = i0;
                while i + MR <= i1 {
                    block.run::<MR>((a, (ai, at)), t0, panel, (c, ldc), (i, j));
                    i += MR;
                }
                match i1 - i {
                    3 => block.run::<3>((a, (ai, at)), t0, panel, (c, ldc), (i, j)),
                    2 => block.run::<2>((a, (ai, at)), t0, panel, (c, ldc), (i, j)),
                    1 => block.run::<1>((a, (ai, at)), t0, panel, (c, ldc), (i, j)),
                    _ => {}
                }
            }
        }
    }
}

/// What a tile of one reduction block does with its sums.
struct Block<'a> {
    /// The first block stores its sums; later ones add them to what is there.
    first: bool,
    /// The bias, on the last block only.
    bias: Option<&'a [f32]>,
    /// Columns of `C`.
    n: usize,
    /// Reduction indices in this block.
    kc: usize,
}

impl Block<'_> {
    /// The `R × NR` tile of `C` at row `i`, column `j` (fewer columns at the right edge).
    #[inline(always)]
    fn run<const R: usize>(
        &self,
        (a, (ai, at)): (&[f32], (usize, usize)),
        t0: usize,
        panel: &[f32],
        (c, ldc): (&mut [f32], usize),
        (i, j): (usize, usize),
    ) {
        let sums = simd::tile::<R>(&a[i * ai + t0 * at..], (ai, at), panel, self.kc);
        let w = (self.n - j).min(NR);
        let bias = self.bias.map(|b| &b[j..j + w]);
        simd::put(sums, (&mut c[i * ldc + j..], ldc), w, self.first, bias);
    }
}

/// One output of a tile: its block's sum `s`, plus what the blocks before left in `c` unless
/// this is the `first` block, plus the bias if any.
#[inline(always)]
fn finish(s: f32, c: f32, first: bool, bias: Option<f32>) -> f32 {
    let s = if first { s } else { c + s };
    match bias {
        Some(b) => s + b,
        None => s,
    }
}

/// The tile's sums in SIMD128 (WebAssembly).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{finish, NR};
    use crate::model::lanes::{load, store};
    use core::arch::wasm32::{
        f32x4_add, f32x4_mul, f32x4_splat, v128, v128_load, v128_load32_splat,
    };

    /// The `R × NR` sums over `t < kc` of `a[q·ai + t·at] · panel[t·NR + l]`, each from 0.0 in
    /// ascending `t`, as two 4-lane vectors per row.
    #[inline(always)]
    pub(super) fn tile<const R: usize>(
        a: &[f32],
        (ai, at): (usize, usize),
        panel: &[f32],
        kc: usize,
    ) -> [[v128; 2]; R] {
        // Every load below is inside these bounds (kc ≥ 1).
        assert!(kc >= 1 && panel.len() >= kc * NR && a.len() > (R - 1) * ai + (kc - 1) * at);
        let (a, panel) = (a.as_ptr(), panel.as_ptr());
        let mut acc = [[f32x4_splat(0.0); 2]; R];
        for t in 0..kc {
            // SAFETY: t·NR + 8 ≤ kc·NR ≤ panel.len() and q·ai + t·at < a.len() (asserted
            // above); v128_load and v128_load32_splat need no alignment.
            let (b0, b1) = unsafe {
                (
                    v128_load(panel.add(t * NR).cast::<v128>()),
                    v128_load(panel.add(t * NR + 4).cast::<v128>()),
                )
            };
            for (q, acc) in acc.iter_mut().enumerate() {
                let av = unsafe { v128_load32_splat(a.add(q * ai + t * at).cast::<u32>()) };
                acc[0] = f32x4_add(acc[0], f32x4_mul(av, b0));
                acc[1] = f32x4_add(acc[1], f32x4_mul(av, b1));
            }
        }
        acc
    }

    /// Writes the first `w` columns of each row of a tile into `c` (rows `ldc` apart), as
    /// [`finish`] says: a vector at a time for a whole tile, one value at a time at the edge.
    #[inline(always)]
    pub(super) fn put<const R: usize>(
        sums: [[v128; 2]; R],
        (c, ldc): (&mut [f32], usize),
        w: usize,
        first: bool,
        bias: Option<&[f32]>,
    ) {
        if w == NR {
            let bias = bias.map(|b| [load(&b[..4]), load(&b[4..8])]);
            for (q, sums) in sums.into_iter().enumerate() {
                let row = &mut c[q * ldc..q * ldc + NR];
                for (h, mut v) in sums.into_iter().enumerate() {
                    let lanes = &mut row[4 * h..4 * h + 4];
                    if !first {
                        v = f32x4_add(load(lanes), v);
                    }
                    if let Some(b) = bias {
                        v = f32x4_add(v, b[h]);
                    }
                    store(lanes, v);
                }
            }
        } else {
            for (q, sums) in sums.into_iter().enumerate() {
                let mut s = [0.0f32; NR];
                store(&mut s[..4], sums[0]);
                store(&mut s[4..], sums[1]);
                let row = &mut c[q * ldc..q * ldc + w];
                for (l, v) in row.iter_mut().enumerate() {
                    *v = finish(s[l], *v, first, bias.map(|b| b[l]));
                }
            }
        }
    }
}

/// The same tile in portable Rust (the same sums, in the same order).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod simd {
    use super::{finish, NR};

    /// The `R × NR` sums over `t < kc` of `a[q·ai + t·at] · panel[t·NR + l]`, each from 0.0 in
    /// ascending `t`.
    #[inline(always)]
    pub(super) fn tile<const R: usize>(
        a: &[f32],
        (ai, at): (usize, usize),
        panel: &[f32],
        kc: usize,
    ) -> [[f32; NR]; R] {
        let mut acc = [[0.0f32; NR]; R];
        for (t, bv) in panel.chunks_exact(NR).take(kc).enumerate() {
            let bv: &[f32; NR] = bv.try_into().expect("NR lanes");
            for (q, acc) in acc.iter_mut().enumerate() {
                let av = a[q * ai + t * at];
                for (s, &bv) in acc.iter_mut().zip(bv) {
                    *s += av * bv;
                }
            }
        }
        acc
    }

    /// Writes the first `w` columns of each row of a tile into `c` (rows `ldc` apart), as
    /// [`finish`] says.
    #[inline(always)]
    pub(super) fn put<const R: usize>(
        sums: [[f32; NR]; R],
        (c, ldc): (&mut [f32], usize),
        w: usize,
        first: bool,
        bias: Option<&[f32]>,
    ) {
        for (q, sums) in sums.iter().enumerate() {
            let row = &mut c[q * ldc..q * ldc + w];
            for (l, v) in row.iter_mut().enumerate() {
                *v = finish(sums[l], *v, first, bias.map(|b| b[l]));
            }
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

    /// The reference: every output summed from 0.0 one product at a time in ascending `t`, in
    /// blocks of [`KC`] added to the blocks before, plus the bias.
    fn reference(a: &Array2<f32>, b: &Array2<f32>, bias: Option<&[f32]>) -> Array2<f32> {
        let k = a.ncols();
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            let mut total = 0.0f32;
            for t0 in (0..k).step_by(KC) {
                let block = (t0..(t0 + KC).min(k)).fold(0.0f32, |s, t| s + a[[i, t]] * b[[t, j]]);
                total = if t0 == 0 { block } else { total + block };
            }
            bias.map_or(total, |bias| total + bias[j])
        })
    }

    fn same_bits(x: &[f32], y: &[f32]) -> Option<(usize, f32, f32)> {
        assert_eq!(x.len(), y.len());
        (0..x.len())
            .find(|&i| x[i].to_bits() != y[i].to_bits() && !(x[i].is_nan() && y[i].is_nan()))
            .map(|i| (i, x[i], y[i]))
    }

    /// Every way the training and evaluation paths call the product (B as rows or transposed,
    /// A row-major or transposed, a bias or not, C rows longer than the product), bit for bit
    /// against the ordered reference. `panels` may come from other products (a longer buffer).
    fn check((m, n, k): (usize, usize, usize), seed: u64, panels: &mut Panels) {
        let mut rng = crate::rng::seeded(seed);
        let a = random(m, k, &mut rng);
        let b = random(k, n, &mut rng);
        let bias: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let at = a.t().as_standard_layout().into_owned(); // Aᵀ, [k, m]
        let bt = b.t().as_standard_layout().into_owned(); // Bᵀ, [n, k]
        for (with_bias, transposed_a, transposed_b) in [
            (false, false, false),
            (true, false, true),
            (false, true, false),
            (true, true, true),
        ] {
            let bias = with_bias.then_some(&bias[..]);
            let expected = reference(&a, &b, bias);
            let left = if transposed_a {
                (at.as_slice().unwrap(), (1, m))
            } else {
                (a.as_slice().unwrap(), (k, 1))
            };
            let right = if transposed_b {
                Right::Transposed(bt.as_slice().unwrap())
            } else {
                Right::Rows(b.as_slice().unwrap())
            };
            // C rows 3 longer than n, whose extra values must stay.
            let ldc = n + 3;
            let mut c = vec![7.5f32; m * ldc];
            matmul(left, right, (&mut c, ldc), bias, (m, n, k), panels);
            // The portable path (what a CPU without AVX runs) gives the same bits.
            let mut portable = vec![7.5f32; m * ldc];
            matmul_body(left, right, (&mut portable, ldc), bias, (m, n, k), panels);
            assert_eq!(same_bits(&c, &portable), None, "{:?}", (m, n, k));
            for i in 0..m {
                let row = &c[i * ldc..(i + 1) * ldc];
                let what = (m, n, k, with_bias, transposed_a, transposed_b, i);
                assert_eq!(
                    same_bits(&row[..n], expected.row(i).as_slice().unwrap()),
                    None,
                    "{what:?}"
                );
                assert!(row[n..].iter().all(|&v| v == 7.5), "{what:?}");
            }
        }
    }

    /// A weight matrix left column-major (as structured pruning leaves it) is read in place and
    /// gives the row-major matrix's products bit for bit: `x · Wᵀ` and `δ · W`.
    #[test]
    fn weights_in_either_memory_order_give_the_same_products() {
        let mut rng = crate::rng::seeded(11);
        let (out, inp, rows) = (13, 300, 9);
        let w = random(out, inp, &mut rng);
        let wf = w.t().as_standard_layout().into_owned().reversed_axes(); // W, column-major
        assert!(!wf.is_standard_layout() && wf == w);
        let x = random(rows, inp, &mut rng);
        let d = random(rows, out, &mut rng);
        let mut panels = Panels::default();
        let product = |right: Right, a: &Array2<f32>, n: usize, k: usize, panels: &mut Panels| {
            let mut c = vec![0.0f32; rows * n];
            let left = (a.as_slice().unwrap(), (k, 1));
            matmul(left, right, (&mut c, n), None, (rows, n, k), panels);
            c
        };
        let fwd = |w: &Array2<f32>, p: &mut Panels| {
            product(Right::weights_transposed(w).unwrap(), &x, out, inp, p)
        };
        let back =
            |w: &Array2<f32>, p: &mut Panels| product(Right::weights(w).unwrap(), &d, inp, out, p);
        assert_eq!(
            same_bits(&fwd(&w, &mut panels), &fwd(&wf, &mut panels)),
            None
        );
        assert_eq!(
            same_bits(&back(&w, &mut panels), &back(&wf, &mut panels)),
            None
        );
        assert_eq!(
            same_bits(
                &fwd(&w, &mut panels),
                reference(&x, &w.t().to_owned(), None).as_slice().unwrap()
            ),
            None
        );
    }

    #[test]
    fn products_are_the_blocked_ordered_sums_bit_for_bit() {
        // Large first, so that smaller products reuse a longer panel buffer.
        let mut panels = Panels::default();
        let mut seed = 0;
        for dims in [(300, 17, 5), (5, 3, 300), (260, 9, 513), (1024, 100, 40)] {
            seed += 1;
            check(dims, seed, &mut panels);
        }
        let sizes = [1, 3, 4, 5, 8, 9, 17, 100];
        for &m in &sizes {
            for &n in &sizes {
                for &k in &sizes {
                    seed += 1;
                    check((m, n, k), seed, &mut panels);
                }
            }
        }
    }

    /// A dimension: one of the edge sizes (1, 3, 5, 17, 100, 300; 300 is longer than a block
    /// of the reduction) or any size up to 300.
    #[cfg(not(target_arch = "wasm32"))]
    fn dim() -> impl proptest::strategy::Strategy<Value = usize> {
        use proptest::prelude::*;
        prop_oneof![
            prop::sample::select(vec![1, 3, 5, 17, 100, 300]),
            1..=300usize
        ]
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        #[test]
        fn any_shape_gives_the_blocked_ordered_sums(
            m in dim(),
            n in dim(),
            k in dim(),
            seed in 0u64..1000,
        ) {
            check((m, n, k), seed, &mut Panels::default());
        }
    }

    #[test]
    fn specials_propagate_as_in_the_plain_sums() {
        // −0.0 products sum to +0.0, ±∞ and NaN reach exactly the outputs that read them.
        let (m, n, k) = (5, 10, 3);
        let mut a = Array2::from_elem((m, k), 1.0f32);
        a[[0, 0]] = -0.0;
        a[[1, 1]] = f32::INFINITY;
        a[[2, 2]] = f32::NAN;
        let mut b = Array2::from_elem((k, n), -0.0f32);
        b[[1, 9]] = 2.0;
        let mut c = vec![1.0f32; m * n];
        let mut panels = Panels::default();
        matmul(
            (a.as_slice().unwrap(), (k, 1)),
            Right::Rows(b.as_slice().unwrap()),
            (&mut c, n),
            None,
            (m, n, k),
            &mut panels,
        );
        let expected = reference(&a, &b, None);
        assert_eq!(same_bits(&c, expected.as_slice().unwrap()), None);
        assert_eq!(c[0].to_bits(), 0.0f32.to_bits());
        assert!(c[n + 9] == f32::INFINITY && c[2 * n].is_nan());
    }

    #[test]
    fn an_empty_reduction_gives_the_bias() {
        let mut c = vec![f32::NAN; 6];
        matmul(
            (&[], (0, 1)),
            Right::Rows(&[]),
            (&mut c, 3),
            Some(&[1.0, -2.0, 0.5]),
            (2, 3, 0),
            &mut Panels::default(),
        );
        assert_eq!(c, [1.0, -2.0, 0.5, 1.0, -2.0, 0.5]);
    }
}
