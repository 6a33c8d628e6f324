//! The GraSP score (Wang et al. 2020, "Picking Winning Tickets Before Training by Preserving
//! Gradient Flow"): the exact Hessian-gradient product H·g of the loss on one mini-batch, by
//! Pearlmutter's R-operator (one forward and one backward pass of directional derivatives), in
//! `f64`.
//!
//! The reference (github.com/alecwangcq/GraSP, `pruner/GraSP.py`) scores each weight
//! `−θ ⊙ Hg`, where g = ∂L/∂θ over the weights (not the biases) and Hg = ∂(gᵀ·stopgrad(g))/∂θ,
//! and *removes the highest* scores (`keep = score <= threshold` of the top-k): removing the
//! weights whose removal would most *increase* the gradient norm's reduction is what it avoids,
//! so it keeps the weights with the lowest `−θ ⊙ Hg`. The playground prunes the lowest score,
//! so its `grasp` score is the negation, `θ ⊙ Hg`: pruning its lowest is removing the
//! reference's highest. The reference's normalization by |Σ scores| is a positive factor and does
//! not change the ranking. Two of its choices are not copied: it divides the logits by a
//! temperature T = 200 (the playground's networks are small and their logits already moderate;
//! the loss is the one training uses), and it takes g on the whole batch but H on its first half
//! (here both on the same batch, as the paper's definition).

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use super::ScoreContext;
use crate::math;
use crate::model::{Activation, Mlp};
use crate::train::Loss;
use crate::Result;

/// `θ ⊙ (H g)` for every weight of `model` (the playground's sign: the lowest are pruned), with
/// the loss and batch of `ctx`; weights outside their masks score 0. H and g are taken with
/// respect to the weights only (biases held fixed), as the reference's `weights` list.
///
/// # Errors
/// [`crate::Error::Shape`] if the batch does not fit the model.
pub(super) fn grasp(
    model: &Mlp,
    masks: &[Array2<f32>],
    ctx: &ScoreContext,
) -> Result<Vec<Array2<f32>>> {
    // Checks the batch's shape the way the training gradient does.
    crate::train::gradients(model, ctx.x, ctx.y, ctx.loss)?;
    let layers = model.layers();
    let acts: Vec<Activation> = (0..layers.len())
        .map(|l| {
            if l + 1 == layers.len() {
                model.spec().output_activation
            } else {
                model.spec().activation
            }
        })
        .collect();
    let w: Vec<Array2<f64>> = layers
        .iter()
        .zip(masks)
        .map(|(d, m)| {
            let mut w = d.weight().mapv(f64::from);
            Zip::from(&mut w).and(m).for_each(|w, &m| {
                if m == 0.0 {
                    *w = 0.0;
                }
            });
            w
        })
        .collect();
    let b: Vec<Array1<f64>> = layers.iter().map(|d| d.bias().mapv(f64::from)).collect();
    let x = ctx.x.mapv(f64::from);

    // Forward: z_l = a_{l−1} W_lᵀ + b_l, a_l = σ_l(z_l); a[0] = x.
    let mut a = vec![x];
    let mut z = Vec::new();
    for l in 0..layers.len() {
        let zl = dot(a[l].view(), w[l].t()) + &b[l];
        a.push(zl.mapv(|v| value(acts[l], v)));
        z.push(zl);
    }
    let out = &a[layers.len()];
    let dl_da = loss_grad(ctx.loss, out, ctx.y, acts[layers.len() - 1]);

    // Backward: δ_l = σ'(z_l) ⊙ ∂L/∂a_l, g_l = δ_lᵀ a_{l−1} (masked), ∂L/∂a_{l−1} = δ_l W_l.
    let n = layers.len();
    let mut ups = vec![Array2::<f64>::zeros((0, 0)); n];
    let mut deltas = vec![Array2::<f64>::zeros((0, 0)); n];
    let mut g = vec![Array2::<f64>::zeros((0, 0)); n];
    let mut up = dl_da;
    for l in (0..n).rev() {
        let d = &up * &z[l].mapv(|v| d1(acts[l], v));
        g[l] = masked(dot(d.t(), a[l].view()), &masks[l]);
        let next = dot(d.view(), w[l].view());
        ups[l] = std::mem::replace(&mut up, next);
        deltas[l] = d;
    }

    // R-forward along V = g (biases 0): R{z_l} = R{a_{l−1}} W_lᵀ + a_{l−1} V_lᵀ,
    // R{a_l} = σ'(z_l) R{z_l}; R{a_0} = 0.
    let mut ra = vec![Array2::<f64>::zeros(a[0].raw_dim())];
    let mut rz = Vec::new();
    for l in 0..n {
        let rzl = dot(ra[l].view(), w[l].t()) + dot(a[l].view(), g[l].t());
        ra.push(&rzl * &z[l].mapv(|v| d1(acts[l], v)));
        rz.push(rzl);
    }
    // R{∂L/∂a_L}: the loss's Hessian in the outputs times R{a_L}.
    let mut r_up = loss_hessian_times(ctx.loss, &a[n], &ra[n]);
    // R-backward: R{δ_l} = σ''(z_l) R{z_l} ⊙ ∂L/∂a_l + σ'(z_l) ⊙ R{∂L/∂a_l},
    // (Hg)_l = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}}, R{∂L/∂a_{l−1}} = R{δ_l} W_l + δ_l V_l.
    let mut hg = vec![Array2::<f64>::zeros((0, 0)); n];
    for l in (0..n).rev() {
        let rd = &rz[l] * &z[l].mapv(|v| d2(acts[l], v)) * &ups[l]
            + &r_up * &z[l].mapv(|v| d1(acts[l], v));
        hg[l] = dot(rd.t(), a[l].view()) + dot(deltas[l].t(), ra[l].view());
        r_up = dot(rd.view(), w[l].view()) + dot(deltas[l].view(), g[l].view());
    }
    Ok(w.iter()
        .zip(&hg)
        .zip(masks)
        .map(|((w, hg), m)| {
            let mut s = Array2::<f32>::zeros(w.raw_dim());
            Zip::from(&mut s)
                .and(w)
                .and(hg)
                .and(m)
                .for_each(|s, &w, &h, &m| *s = if m == 0.0 { 0.0 } else { (w * h) as f32 });
            s
        })
        .collect())
}

/// `A · B`, each output summed in ascending reduction index with a multiply then an add (never
/// fused): the same numbers natively and in WebAssembly, which a GEMM library's kernels (fused
/// natively, not in WebAssembly) would not give.
fn dot(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    let mut c = Array2::<f64>::zeros((a.nrows(), b.ncols()));
    for (mut c, a) in c.rows_mut().into_iter().zip(a.rows()) {
        for (&x, b) in a.iter().zip(b.rows()) {
            c.zip_mut_with(&b, |c, &b| *c += x * b);
        }
    }
    c
}

fn masked(mut v: Array2<f64>, mask: &Array2<f32>) -> Array2<f64> {
    Zip::from(&mut v).and(mask).for_each(|v, &m| {
        if m == 0.0 {
            *v = 0.0;
        }
    });
    v
}

/// σ(z) in `f64` (tanh the exact one; the forward pass's rational tanh agrees to f32 precision).
fn value(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu => z.max(0.0),
        Activation::Tanh => math::tanh(z),
        Activation::Sigmoid => 1.0 / (1.0 + math::exp(-z)),
        Activation::Linear => z,
    }
}

/// σ'(z); relu' is [z > 0], as the training backprop's.
fn d1(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu => {
            if z > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        Activation::Tanh => 1.0 - math::tanh(z).powi(2),
        Activation::Sigmoid => {
            let s = value(act, z);
            s * (1.0 - s)
        }
        Activation::Linear => 1.0,
    }
}

/// σ''(z): 0 for relu (almost everywhere) and linear.
fn d2(act: Activation, z: f64) -> f64 {
    match act {
        Activation::Relu | Activation::Linear => 0.0,
        Activation::Tanh => {
            let t = math::tanh(z);
            -2.0 * t * (1.0 - t * t)
        }
        Activation::Sigmoid => {
            let s = value(act, z);
            s * (1.0 - s) * (1.0 - 2.0 * s)
        }
    }
}

/// ∂L/∂a of the mean loss over the batch, as [`Loss::forward_backward`] in `f64`.
fn loss_grad(loss: Loss, a: &Array2<f64>, y: &[usize], out: Activation) -> Array2<f64> {
    let (bsz, k) = a.dim();
    match loss {
        Loss::CrossEntropy => {
            let mut p = softmax(a);
            for (i, mut row) in p.axis_iter_mut(Axis(0)).enumerate() {
                row[y[i]] -= 1.0;
            }
            p / bsz as f64
        }
        Loss::Mse => {
            let (lo, hi) = Loss::target_range(out);
            let scale = 2.0 / (bsz * k) as f64;
            Array2::from_shape_fn((bsz, k), |(i, j)| {
                let on = if k == 1 { y[i] == 1 } else { y[i] == j };
                (a[(i, j)] - f64::from(if on { hi } else { lo })) * scale
            })
        }
    }
}

/// (∂²L/∂a²) · r, row by row: (diag(p) − p pᵀ) r / B for softmax cross-entropy, 2 r / (B K) for
/// MSE.
fn loss_hessian_times(loss: Loss, a: &Array2<f64>, r: &Array2<f64>) -> Array2<f64> {
    let (bsz, k) = a.dim();
    match loss {
        Loss::CrossEntropy => {
            let p = softmax(a);
            let mut out = &p * r;
            for (mut o, pr) in out.axis_iter_mut(Axis(0)).zip(p.axis_iter(Axis(0))) {
                let s = o.sum();
                Zip::from(&mut o).and(&pr).for_each(|o, &p| *o -= p * s);
            }
            out / bsz as f64
        }
        Loss::Mse => r * (2.0 / (bsz * k) as f64),
    }
}

fn softmax(a: &Array2<f64>) -> Array2<f64> {
    let mut p = a.clone();
    for mut row in p.axis_iter_mut(Axis(0)) {
        let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| math::exp(v - max));
        let s = row.sum();
        row.mapv_inplace(|v| v / s);
    }
    p
}
