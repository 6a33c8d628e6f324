//! Weight initializers.

use ndarray::{Array1, Array2};
use rand::Rng as _;
use rand_distr::{Distribution, Normal};

use crate::rng::Rng;

/// How a layer's weights are drawn at initialization. Biases always start at 0.
///
/// With `fan_in` inputs and `fan_out` outputs:
/// - Kaiming (He) keeps the variance of ReLU activations: Var(w) = 2 / fan_in;
/// - Glorot (Xavier) balances forward and backward variance: Var(w) = 2 / (fan_in + fan_out).
///
/// The uniform variants draw from U(−b, b) with b = √(3·Var).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Init {
    /// N(0, 2/fan_in).
    #[default]
    KaimingNormal,
    /// U(−√(6/fan_in), √(6/fan_in)).
    KaimingUniform,
    /// N(0, 2/(fan_in + fan_out)).
    GlorotNormal,
    /// U(−√(6/(fan_in + fan_out)), √(6/(fan_in + fan_out))).
    GlorotUniform,
    /// PyTorch's `nn.Linear` default: weights and biases U(−1/√fan_in, 1/√fan_in)
    /// (`kaiming_uniform_(a=√5)`), so runs compare directly with a PyTorch script that keeps
    /// torch's own initialization (as the published lottery-ticket baselines do).
    Torch,
}

crate::named_enum!(Init, "init", {
    KaimingNormal => "kaiming-normal",
    KaimingUniform => "kaiming-uniform",
    GlorotNormal => "glorot-normal",
    GlorotUniform => "glorot-uniform",
    Torch => "torch",
});

impl Init {
    /// The variance this initializer targets for a layer of the given fans.
    pub fn variance(self, fan_in: usize, fan_out: usize) -> f32 {
        match self {
            Init::KaimingNormal | Init::KaimingUniform => 2.0 / fan_in as f32,
            Init::GlorotNormal | Init::GlorotUniform => 2.0 / (fan_in + fan_out) as f32,
            Init::Torch => 1.0 / (3.0 * fan_in as f32),
        }
    }

    /// Draws a bias of length `fan_out` for a layer whose *original* fan-in is `fan_in`: zeros,
    /// except for [`Init::Torch`] (U(−1/√fan_in, 1/√fan_in), as `nn.Linear` does). Only `Torch`
    /// draws from `rng`, so the other initializers' weights do not depend on it.
    pub fn sample_bias(self, fan_out: usize, fan_in: usize, rng: &mut Rng) -> Array1<f32> {
        match self {
            Init::Torch => {
                let b = 1.0 / (fan_in as f32).sqrt();
                Array1::from_shape_simple_fn(fan_out, || rng.random_range(-b..b))
            }
            _ => Array1::zeros(fan_out),
        }
    }

    /// Draws a `[fan_out, fan_in]` weight matrix (PyTorch's `Linear.weight` layout).
    pub fn sample(self, fan_out: usize, fan_in: usize, rng: &mut Rng) -> Array2<f32> {
        let var = self.variance(fan_in, fan_out);
        match self {
            Init::KaimingNormal | Init::GlorotNormal => {
                let normal = Normal::new(0.0f32, var.sqrt()).expect("finite positive std");
                Array2::from_shape_simple_fn((fan_out, fan_in), || normal.sample(rng))
            }
            Init::KaimingUniform | Init::GlorotUniform | Init::Torch => {
                let b = (3.0 * var).sqrt();
                Array2::from_shape_simple_fn((fan_out, fan_in), || rng.random_range(-b..b))
            }
        }
    }
}
