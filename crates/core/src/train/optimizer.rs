//! Optimizers that respect masks: after every step a masked weight is exactly 0 and its moment
//! estimates are 0, so nothing can revive it.

use serde::{Deserialize, Serialize};

use crate::error::Allowed;
use crate::model::{masked as keep, Dense};
use crate::{Error, Result};

/// The update rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Optimizer {
    /// Plain mini-batch SGD: w ← w − η·g.
    Sgd,
    /// SGD with momentum (PyTorch's form): v ← β·v + g; w ← w − η·v.
    Momentum {
        /// Momentum coefficient β, in [0, 1).
        beta: f32,
    },
    /// Adam (Kingma & Ba) with bias correction, as PyTorch implements it.
    Adam {
        /// First-moment decay β₁, in [0, 1).
        beta1: f32,
        /// Second-moment decay β₂, in [0, 1).
        beta2: f32,
        /// Denominator fuzz ε > 0.
        eps: f32,
    },
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::adam()
    }
}

impl Optimizer {
    /// Adam with PyTorch's defaults (β₁ 0.9, β₂ 0.999, ε 1e-8).
    pub fn adam() -> Self {
        Optimizer::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// The name used by the CLI and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Momentum { .. } => "momentum",
            Optimizer::Adam { .. } => "adam",
        }
    }

    /// Parses a name, with default hyperparameters (momentum 0.9; Adam as [`Optimizer::adam`]).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed values.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "sgd" => Ok(Optimizer::Sgd),
            "momentum" => Ok(Optimizer::Momentum { beta: 0.9 }),
            "adam" => Ok(Optimizer::adam()),
            _ => Err(Error::config(
                "optimizer",
                name,
                Allowed::one_of(&["sgd", "momentum", "adam"]),
            )),
        }
    }

    /// Checks the hyperparameters.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(self) -> Result<()> {
        let unit = |field: &str, v: f32| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::config(
                    field,
                    v,
                    Allowed::interval(0.0, 1.0, false, true),
                ))
            }
        };
        match self {
            Optimizer::Sgd => Ok(()),
            Optimizer::Momentum { beta } => unit("momentum", beta),
            Optimizer::Adam { beta1, beta2, eps } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                if eps > 0.0 && eps.is_finite() {
                    Ok(())
                } else {
                    Err(Error::config("eps", eps, Allowed::Positive))
                }
            }
        }
    }
}

/// Per-layer moment buffers, row-major like the weights (`dim` is the weights' `[out, in]`).
/// SGD keeps them too (zeros), so that a state fits a model whatever the rule.
#[derive(Debug, Clone)]
pub(crate) struct Moments {
    dim: (usize, usize),
    m_w: Vec<f32>,
    m_b: Vec<f32>,
    v_w: Vec<f32>,
    v_b: Vec<f32>,
}

/// The optimizer's running state for one model shape.
#[derive(Debug, Clone)]
pub(crate) struct OptState {
    moments: Vec<Moments>,
    /// Number of steps taken with this state (Adam's bias correction).
    t: u64,
}

/// A layer's weights for one update: weights, mask, first and second moments, gradients (all
/// row-major, one length).
type Weights<'a> = (
    &'a mut [f32],
    &'a [f32],
    &'a mut [f32],
    &'a mut [f32],
    &'a [f32],
);
/// A layer's biases for one update: biases, first and second moments, gradients.
type Biases<'a> = (&'a mut [f32], &'a mut [f32], &'a mut [f32], &'a [f32]);

/// One step's update rule with its constants (Adam's bias corrections for this step), applied
/// element by element: the single definition of every optimizer's arithmetic.
#[derive(Debug, Clone, Copy)]
enum Rule {
    Sgd {
        neg_lr: f32,
    },
    Momentum {
        beta: f32,
        neg_lr: f32,
    },
    Adam {
        beta1: f32,
        beta2: f32,
        eps: f32,
        /// η / (1 − β₁ᵗ).
        step: f32,
        /// 1 − β₂ᵗ.
        c2: f32,
    },
}

impl Rule {
    fn new(opt: Optimizer, lr: f32, t: u64) -> Rule {
        match opt {
            Optimizer::Sgd => Rule::Sgd { neg_lr: -lr },
            Optimizer::Momentum { beta } => Rule::Momentum { beta, neg_lr: -lr },
            Optimizer::Adam { beta1, beta2, eps } => {
                let t = t as i32;
                Rule::Adam {
                    beta1,
                    beta2,
                    eps,
                    step: lr / (1.0 - beta1.powi(t)),
                    c2: 1.0 - beta2.powi(t),
                }
            }
        }
    }

    /// Every weight of a layer, then every bias, each parameter `w` with its moments `m`, `v` and
    /// its gradient `g` (0 where the weight is masked, whatever the gradient buffer holds). The
    /// velocity (momentum) is
    /// masked before it moves the weight, Adam's moments after, and the weight itself last, so a
    /// pruned weight ends exactly 0 with zero moments; biases have no mask. One loop per rule
    /// with the rule's constants known, so that each vectorizes.
    fn layer(self, (w, mask, m_w, v_w, gw): Weights, (b, m_b, v_b, gb): Biases) {
        /// `f(w, m, v, g, mask)` over a layer's weights (with their mask; a masked gradient
        /// reads as 0) and biases (mask 1).
        #[inline(always)]
        fn run(
            f: impl Fn(&mut f32, &mut f32, &mut f32, f32, f32) + Copy,
            (w, mask, m_w, v_w, gw): Weights,
            (b, m_b, v_b, gb): Biases,
        ) {
            let n = w.len();
            let (mask, m_w, v_w, gw) = (&mask[..n], &mut m_w[..n], &mut v_w[..n], &gw[..n]);
            for i in 0..n {
                let g = keep(gw[i], mask[i]);
                f(&mut w[i], &mut m_w[i], &mut v_w[i], g, mask[i]);
            }
            let n = b.len();
            let (m_b, v_b, gb) = (&mut m_b[..n], &mut v_b[..n], &gb[..n]);
            for i in 0..n {
                f(&mut b[i], &mut m_b[i], &mut v_b[i], gb[i], 1.0);
            }
        }
        let weights = (w, mask, m_w, v_w, gw);
        let biases = (b, m_b, v_b, gb);
        match self {
            // w ← w − η·g (as ndarray's `scaled_add(−η, g)` computes it: w + (−η)·g).
            Rule::Sgd { neg_lr } => run(
                |w, _, _, g, mask| *w = keep(*w + neg_lr * g, mask),
                weights,
                biases,
            ),
            // v ← β·v + g; w ← w − η·v.
            Rule::Momentum { beta, neg_lr } => run(
                |w, m, _, g, mask| {
                    *m = keep(beta * *m + g, mask);
                    *w = keep(*w + neg_lr * *m, mask);
                },
                weights,
                biases,
            ),
            Rule::Adam {
                beta1,
                beta2,
                eps,
                step,
                c2,
            } => {
                let update = move |w: &mut f32, m: &mut f32, v: &mut f32, g: f32, mask: f32| {
                    *m = beta1 * *m + (1.0 - beta1) * g;
                    *v = beta2 * *v + (1.0 - beta2) * g * g;
                    *w -= step * *m / ((*v / c2).sqrt() + eps);
                    *m = keep(*m, mask);
                    *v = keep(*v, mask);
                    *w = keep(*w, mask);
                };
                // The compiler leaves this loop scalar for WebAssembly (the masked selects),
                // so there it runs 4 lanes at a time explicitly: the same operations per value.
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                let (weights, biases) = simd::adam((beta1, beta2, eps, step, c2), weights, biases);
                run(update, weights, biases);
            }
        }
    }
}

/// Adam four values at a time in SIMD128 (WebAssembly).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{Biases, Weights};
    use crate::model::lanes::{load, store};
    use core::arch::wasm32::{
        f32x4_add, f32x4_div, f32x4_eq, f32x4_mul, f32x4_splat, f32x4_sqrt, f32x4_sub, v128,
        v128_bitselect,
    };

    /// The Adam update (`Rule::layer`'s closure, operation for operation) on the whole groups of
    /// four weights and biases; returns the remaining ones (fewer than four of each).
    pub(super) fn adam<'a>(
        (beta1, beta2, eps, step, c2): (f32, f32, f32, f32, f32),
        (w, mask, m_w, v_w, gw): Weights<'a>,
        (b, m_b, v_b, gb): Biases<'a>,
    ) -> (Weights<'a>, Biases<'a>) {
        let zero = f32x4_splat(0.0);
        let (beta1, one_beta1) = (f32x4_splat(beta1), f32x4_splat(1.0 - beta1));
        let (beta2, one_beta2) = (f32x4_splat(beta2), f32x4_splat(1.0 - beta2));
        let (eps, step, c2) = (f32x4_splat(eps), f32x4_splat(step), f32x4_splat(c2));
        // keep(x, mask): 0.0 where the mask is 0, else x.
        let keep = |x: v128, pruned: Option<v128>| pruned.map_or(x, |p| v128_bitselect(zero, x, p));
        let update = |w: &mut [f32], m: &mut [f32], v: &mut [f32], g: v128, pruned| {
            let mv = f32x4_add(f32x4_mul(beta1, load(m)), f32x4_mul(one_beta1, g));
            let vv = f32x4_add(
                f32x4_mul(beta2, load(v)),
                f32x4_mul(f32x4_mul(one_beta2, g), g),
            );
            let wv = f32x4_sub(
                load(w),
                f32x4_div(
                    f32x4_mul(step, mv),
                    f32x4_add(f32x4_sqrt(f32x4_div(vv, c2)), eps),
                ),
            );
            store(m, keep(mv, pruned));
            store(v, keep(vv, pruned));
            store(w, keep(wv, pruned));
        };
        let n = w.len();
        let body = n - n % 4;
        let (mask, m_w, v_w, gw) = (&mask[..n], &mut m_w[..n], &mut v_w[..n], &gw[..n]);
        for i in (0..body).step_by(4) {
            let r = i..i + 4;
            let pruned = f32x4_eq(load(&mask[r.clone()]), zero);
            let g = keep(load(&gw[r.clone()]), Some(pruned));
            update(
                &mut w[r.clone()],
                &mut m_w[r.clone()],
                &mut v_w[r],
                g,
                Some(pruned),
            );
        }
        let nb = b.len();
        let bbody = nb - nb % 4;
        let (m_b, v_b, gb) = (&mut m_b[..nb], &mut v_b[..nb], &gb[..nb]);
        for i in (0..bbody).step_by(4) {
            let r = i..i + 4;
            let g = load(&gb[r.clone()]);
            update(&mut b[r.clone()], &mut m_b[r.clone()], &mut v_b[r], g, None);
        }
        (
            (
                &mut w[body..],
                &mask[body..],
                &mut m_w[body..],
                &mut v_w[body..],
                &gw[body..],
            ),
            (
                &mut b[bbody..],
                &mut m_b[bbody..],
                &mut v_b[bbody..],
                &gb[bbody..],
            ),
        )
    }
}

impl OptState {
    pub(crate) fn new(layers: &[Dense]) -> Self {
        OptState {
            moments: layers
                .iter()
                .map(|d| Moments {
                    dim: d.weight.dim(),
                    m_w: vec![0.0; d.weight.len()],
                    m_b: vec![0.0; d.bias.len()],
                    v_w: vec![0.0; d.weight.len()],
                    v_b: vec![0.0; d.bias.len()],
                })
                .collect(),
            t: 0,
        }
    }

    /// True if the buffers fit these layers (structured pruning changes shapes).
    pub(crate) fn fits(&self, layers: &[Dense]) -> bool {
        self.moments.len() == layers.len()
            && self
                .moments
                .iter()
                .zip(layers)
                .all(|(m, d)| m.dim == d.weight.dim())
    }

    /// One update of every layer from its gradients `(gw, gb)`: row-major `[out, in]` weight
    /// gradients (masked entries are read as 0: the update clears them) and bias gradients.
    pub(crate) fn step<'g>(
        &mut self,
        opt: Optimizer,
        lr: f32,
        layers: &mut [Dense],
        grads: impl IntoIterator<Item = (&'g [f32], &'g [f32])>,
    ) {
        self.t += 1;
        let rule = Rule::new(opt, lr, self.t);
        for ((d, m), (gw, gb)) in layers.iter_mut().zip(&mut self.moments).zip(grads) {
            let b = d.bias.as_slice_mut().expect("a layer's bias is contiguous");
            let biases = (b, &mut m.m_b[..], &mut m.v_b[..], gb);
            if let (Some(w), Some(mask)) = (d.weight.as_slice_mut(), d.mask.as_slice()) {
                rule.layer((w, mask, &mut m.m_w, &mut m.v_w, gw), biases);
            } else {
                // Weights in another layout (structured pruning selects columns): the same
                // update on a row-major copy.
                let mut w = d.weight.as_standard_layout().into_owned();
                let mask = d.mask.as_standard_layout();
                rule.layer(
                    (
                        w.as_slice_mut().expect("standard layout"),
                        mask.as_slice().expect("standard layout"),
                        &mut m.m_w,
                        &mut m.v_w,
                        gw,
                    ),
                    biases,
                );
                d.weight.assign(&w);
            }
        }
    }
}
