//! Optimizers that respect masks: after every step a masked weight is exactly 0 and its moment
//! estimates are 0, so nothing can revive it.

use ndarray::{Array1, Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::model::{apply_mask, Dense};
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
                "one of sgd, momentum, adam",
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
                Err(Error::config(field, v, "a number in [0, 1)"))
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
                    Err(Error::config("eps", eps, "a positive number"))
                }
            }
        }
    }
}

/// Per-layer moment buffers.
#[derive(Debug, Clone)]
pub(crate) struct Moments {
    m_w: Array2<f32>,
    m_b: Array1<f32>,
    v_w: Array2<f32>,
    v_b: Array1<f32>,
}

/// The optimizer's running state for one model shape.
#[derive(Debug, Clone)]
pub(crate) struct OptState {
    moments: Vec<Moments>,
    /// Number of steps taken with this state (Adam's bias correction).
    t: u64,
}

impl OptState {
    pub(crate) fn new(layers: &[Dense]) -> Self {
        OptState {
            moments: layers
                .iter()
                .map(|d| Moments {
                    m_w: Array2::zeros(d.weight.dim()),
                    m_b: Array1::zeros(d.bias.len()),
                    v_w: Array2::zeros(d.weight.dim()),
                    v_b: Array1::zeros(d.bias.len()),
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
                .all(|(m, d)| m.m_w.dim() == d.weight.dim())
    }

    /// One update of every layer from gradients `gw`, `gb` (masked entries of `gw` already 0).
    pub(crate) fn step(
        &mut self,
        opt: Optimizer,
        lr: f32,
        layers: &mut [Dense],
        gw: &[Array2<f32>],
        gb: &[Array1<f32>],
    ) {
        self.t += 1;
        let t = self.t as i32;
        for ((d, m), (gw, gb)) in layers
            .iter_mut()
            .zip(&mut self.moments)
            .zip(gw.iter().zip(gb))
        {
            match opt {
                Optimizer::Sgd => {
                    d.weight.scaled_add(-lr, gw);
                    d.bias.scaled_add(-lr, gb);
                }
                Optimizer::Momentum { beta } => {
                    Zip::from(&mut m.m_w)
                        .and(gw)
                        .for_each(|v, &g| *v = beta * *v + g);
                    Zip::from(&mut m.m_b)
                        .and(gb)
                        .for_each(|v, &g| *v = beta * *v + g);
                    apply_mask(&mut m.m_w, &d.mask);
                    d.weight.scaled_add(-lr, &m.m_w);
                    d.bias.scaled_add(-lr, &m.m_b);
                }
                Optimizer::Adam { beta1, beta2, eps } => {
                    let c1 = 1.0 - beta1.powi(t);
                    let c2 = 1.0 - beta2.powi(t);
                    let step = lr / c1;
                    let adam = |w: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
                        *m = beta1 * *m + (1.0 - beta1) * g;
                        *v = beta2 * *v + (1.0 - beta2) * g * g;
                        *w -= step * *m / ((*v / c2).sqrt() + eps);
                    };
                    Zip::from(&mut d.weight)
                        .and(&mut m.m_w)
                        .and(&mut m.v_w)
                        .and(gw)
                        .for_each(|w, m, v, &g| adam(w, m, v, g));
                    Zip::from(&mut d.bias)
                        .and(&mut m.m_b)
                        .and(&mut m.v_b)
                        .and(gb)
                        .for_each(|w, m, v, &g| adam(w, m, v, g));
                    apply_mask(&mut m.m_w, &d.mask);
                    apply_mask(&mut m.v_w, &d.mask);
                }
            }
            // The invariant: a masked weight is exactly 0 after every step.
            apply_mask(&mut d.weight, &d.mask);
        }
    }
}
