//! Losses and the target encoding they imply.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use crate::model::Activation;
use crate::{Error, Result};

/// What training minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
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

impl Loss {
    /// The name used by the CLI and URLs.
    pub fn name(self) -> &'static str {
        match self {
            Loss::CrossEntropy => "cross-entropy",
            Loss::Mse => "mse",
        }
    }

    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed values.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cross-entropy" => Ok(Loss::CrossEntropy),
            "mse" => Ok(Loss::Mse),
            _ => Err(Error::config("loss", name, "one of cross-entropy, mse")),
        }
    }

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
                for (i, row) in a.chunks_exact(k).enumerate() {
                    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    let sum: f32 = row.iter().map(|&v| (v - max).exp()).sum();
                    let log_sum = max + sum.ln();
                    total += f64::from(log_sum - row[y[i]]);
                    if let Some(g) = grad.as_mut() {
                        for (j, (g, &v)) in g[i * k..(i + 1) * k].iter_mut().zip(row).enumerate() {
                            let p = (v - log_sum).exp();
                            *g = (p - if j == y[i] { 1.0 } else { 0.0 }) * scale;
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
