//! Element-wise activation functions.

use ndarray::{ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A neuron's non-linearity, applied element-wise after the affine map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// max(0, z).
    #[default]
    Relu,
    /// tanh(z).
    Tanh,
    /// 1 / (1 + e^(−z)).
    Sigmoid,
    /// z (no non-linearity).
    Linear,
}

impl Activation {
    /// Every activation, in display order.
    pub const ALL: [Activation; 4] = [
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Linear,
    ];

    /// The lower-case name used by the CLI, URLs and PyTorch metadata.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Linear => "linear",
        }
    }

    /// Parses a name.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed values.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| Error::config("activation", name, "one of relu, tanh, sigmoid, linear"))
    }

    /// Applies the activation in place.
    pub fn apply(self, mut z: ArrayViewMut2<f32>) {
        match self {
            Activation::Relu => z.mapv_inplace(|v| v.max(0.0)),
            Activation::Tanh => z.mapv_inplace(f32::tanh),
            Activation::Sigmoid => z.mapv_inplace(|v| 1.0 / (1.0 + (-v).exp())),
            Activation::Linear => {}
        }
    }

    /// Multiplies `delta` (∂L/∂a) in place by the derivative da/dz, written in terms of the
    /// activation's *output* `a` — all four derivatives can be, so the backward pass needs no
    /// pre-activation values: relu' = [a > 0], tanh' = 1 − a², sigmoid' = a(1 − a), linear' = 1.
    pub fn backprop_inplace(self, delta: ArrayViewMut2<f32>, a: ndarray::ArrayView2<f32>) {
        match self {
            Activation::Relu => Zip::from(delta).and(a).for_each(|d, &a| {
                if a <= 0.0 {
                    *d = 0.0
                }
            }),
            Activation::Tanh => Zip::from(delta).and(a).for_each(|d, &a| *d *= 1.0 - a * a),
            Activation::Sigmoid => Zip::from(delta)
                .and(a)
                .for_each(|d, &a| *d *= a * (1.0 - a)),
            Activation::Linear => {}
        }
    }
}
