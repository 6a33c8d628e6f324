//! The axes of one pruning step and the [`PruneSpec`] that combines them.
//!
//! Every axis has a `name()` used by the CLI and URLs and a `parse()` that accepts exactly those
//! names; serde uses the same names, so there is one spelling everywhere.

use serde::{Deserialize, Serialize};

use super::nm::NM;
use crate::error::Allowed;
use crate::{Error, Result};
use pruning_playground_core::named_enum;

/// What is removed: single weights (unstructured) or whole hidden neurons (structured).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Structure {
    /// Mask single weights; the architecture keeps its shape.
    #[default]
    Weights,
    /// Remove whole hidden neurons — their row of incoming weights, their bias and their column
    /// of outgoing weights — physically, with [`crate::model::Mlp::remove_neurons`]. Output
    /// neurons are never removed, and every hidden layer keeps at least one neuron.
    Neurons,
}

named_enum!(Structure, "structure", { Weights => "weights", Neurons => "neurons" });

/// Which entries compete in one ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// One ranking over all prunable layers (torch's `global_unstructured`): layers with low
    /// scores lose more.
    Global,
    /// Each layer ranked on its own and pruned at the same fraction (Frankle & Carbin).
    #[default]
    Layer,
}

named_enum!(Scope, "scope", { Global => "global", Layer => "layer" });

/// The allowed score names, as error messages list them.
pub const SCORE_ALLOWED: &str =
    "one of magnitude, lp:P (P ≥ 1, or lp:inf), lp:P:raw, random, snip, synflow, grasp";

/// The importance score; the lowest scores are pruned. Scores are computed apart from the
/// weights (see [`crate::prune::Scores`]), always on the *masked* weights.
///
/// | name        | weights                                  | neurons (incoming row `w`, fan-in n) |
/// |-------------|------------------------------------------|--------------------------------------|
/// | `magnitude` | \|w\|                                    | ‖w‖₁ / √n                            |
/// | `lp:P`      | \|w\| / ‖W_layer‖_P                      | ‖w‖_P / n^(1/P − 1/2)                |
/// | `lp:P:raw`  | \|w\|                                    | ‖w‖_P (torch's `ln_structured`)      |
/// | `random`    | U(0, 1) from the spec's seed             | U(0, 1) from the spec's seed         |
/// | `snip`      | \|w · ∂L/∂w\| on a batch                 | Σ \|w · ∂L/∂w\| over the row         |
/// | `synflow`   | \|w · ∂R/∂w\|, R = Σ outputs of \|θ\|·1 | Σ \|w · ∂R/∂w\| over the row         |
///
/// For weights, `lp:P` is magnitude normalized by the Lp-norm of the weight's layer: within a
/// layer it is a monotone rescaling of `magnitude` (so under [`Scope::Layer`] the two prune the
/// same weights, up to f32 rounding of near-equal magnitudes), and
/// under [`Scope::Global`] it makes layers of different scales comparable, so one layer with
/// small weights is not wiped out.
///
/// For neurons, a raw norm grows with the number of weights it sums: under a global ranking the
/// neurons of a layer with a small fan-in n look unimportant only because their rows are short
/// (an L1 norm of n weights of size 1/√n, the scale every initializer here draws, is √n). So
/// `magnitude` and `lp:P` divide each neuron's norm by the norm of such a typical row,
/// ‖(1/√n, …, 1/√n)‖_P = n^(1/P − 1/2): √n for L1, 1 for L2 (whose raw norm is already
/// fan-in free), 1/√n for L∞ (n = the layer's inputs, its weight's columns, masked ones
/// included). Within a layer the divisor is one constant, so under [`Scope::Layer`] normalized
/// and raw scores prune the same neurons. `lp:P:raw` is the plain norm (for weights: `magnitude`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Score {
    /// |w| (weights) or the L1 norm of the incoming weights over √fan-in (neurons).
    #[default]
    Magnitude,
    /// Lp-norm with P ≥ 1 or `f64::INFINITY` (max |w|), normalized; see the type's table.
    Lp(f64),
    /// The plain Lp-norm, not normalized by layer (weights: |w|) or fan-in (neurons).
    LpRaw(f64),
    /// Uniform random scores drawn from [`PruneSpec::seed`]: the control.
    Random,
    /// Connection sensitivity |w · ∂L/∂w| (Lee et al. 2019) on the batch of a
    /// [`crate::prune::ScoreContext`].
    Snip,
    /// Synaptic flow |w · ∂R/∂w| (Tanaka et al. 2020): data-free, R the sum of the outputs of
    /// the network with absolute parameters on one input row of ones (see
    /// [`crate::prune::scores`]). Meant to be applied iteratively at initialization (the
    /// CLI's `train --prune-at-init F --prune-score synflow`, 100 rounds by default).
    Synflow,
    /// Gradient-flow preservation θ ⊙ Hg (Wang et al. 2020, GraSP, with the sign flipped so the
    /// lowest are pruned as for every score): H and g the Hessian and gradient of the loss on the
    /// batch of a [`crate::prune::ScoreContext`], computed exactly in `f64`.
    Grasp,
}

impl Score {
    /// The name used by the CLI and URLs, e.g. `lp:2` or `lp:inf`.
    pub fn name(self) -> String {
        match self {
            Score::Magnitude => "magnitude".into(),
            Score::Lp(p) if p == f64::INFINITY => "lp:inf".into(),
            Score::Lp(p) => format!("lp:{p}"),
            Score::LpRaw(p) if p == f64::INFINITY => "lp:inf:raw".into(),
            Score::LpRaw(p) => format!("lp:{p}:raw"),
            Score::Random => "random".into(),
            Score::Snip => "snip".into(),
            Score::Synflow => "synflow".into(),
            Score::Grasp => "grasp".into(),
        }
    }

    /// Parses a name: `magnitude`, `lp:P` (P ≥ 1, or `inf`), `lp:P:raw`, `random`, `snip`, `synflow` or `grasp`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed values.
    pub fn parse(name: &str) -> Result<Self> {
        let score = match name {
            "magnitude" => Score::Magnitude,
            "random" => Score::Random,
            "snip" => Score::Snip,
            "synflow" => Score::Synflow,
            "grasp" => Score::Grasp,
            _ => {
                let Some(p) = name.strip_prefix("lp:") else {
                    return Err(Error::config("score", name, SCORE_ALLOWED));
                };
                let (p, raw) = match p.strip_suffix(":raw") {
                    Some(p) => (p, true),
                    None => (p, false),
                };
                let p = match p {
                    "inf" => f64::INFINITY,
                    p => parse_f64(p).ok_or_else(|| Error::config("score", name, SCORE_ALLOWED))?,
                };
                if raw {
                    Score::LpRaw(p)
                } else {
                    Score::Lp(p)
                }
            }
        };
        score.validate()?;
        Ok(score)
    }

    /// Checks P of `lp:P`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if P is below 1 or not a number.
    pub fn validate(self) -> Result<()> {
        match self {
            Score::Lp(p) | Score::LpRaw(p) if p.is_nan() || p < 1.0 => {
                Err(Error::config("score", self.name(), SCORE_ALLOWED))
            }
            _ => Ok(()),
        }
    }

    /// Whether the score needs a batch of data ([`crate::prune::ScoreContext`]).
    pub fn needs_data(self) -> bool {
        matches!(self, Score::Snip | Score::Grasp)
    }

    /// Whether the score means something before any training, at θ₀: `snip` (pruning at
    /// initialization, Lee et al. 2019: the gradient on one mini-batch says which connections
    /// matter to the loss), `grasp` (Wang et al. 2020: which connections carry the gradient
    /// flow), `synflow` (Tanaka et al. 2020: data-free, the synaptic flow through each
    /// connection, which iterated keeps every layer connected), `magnitude` (the baseline of
    /// Frankle et al. 2021: |θ₀| ranks the initializer's draw, which sets per-layer densities
    /// under a global ranking) and `random` (the control, which ignores the weights). The
    /// normalized and raw Lp-norms of untrained weights add nothing to `magnitude`, so the page
    /// and the CLI refuse them before training.
    pub fn prunes_untrained(self) -> bool {
        matches!(
            self,
            Score::Snip | Score::Grasp | Score::Synflow | Score::Magnitude | Score::Random
        )
    }
}

impl TryFrom<String> for Score {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Score::parse(&s)
    }
}

impl From<Score> for String {
    fn from(s: Score) -> String {
        s.name()
    }
}

/// `s.parse::<f64>().ok()`. The wasm engine does not link Rust's float parser (about 15 KB of its
/// gzipped size): there the same grammar is checked and the JavaScript engine converts the digits,
/// to the same value ([`crate::wasm`]'s `num`; tests/web.rs compares the two).
fn parse_f64(s: &str) -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::wasm::num::parse_f64(s)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        s.parse().ok()
    }
}

const AMOUNT_ALLOWED: &str = "a fraction of the remaining in [0, 1] (e.g. 0.2) or count:N";

/// How much one step prunes; [`crate::prune::counts_to_prune`] is the rule, in short:
///
/// - a fraction `f`: each ranking group (the whole network under [`Scope::Global`], each layer
///   under [`Scope::Layer`]; a separately ranked output layer at `f × output_rate`) loses exactly
///   `round(f × remaining in the group)` entries, Python's `round` (half to even) as in
///   `torch.nn.utils.prune`;
/// - a count `n`: exactly `n` in total, shared out over the groups in proportion to their
///   remaining entries (the output layer's weighted by `output_rate`) by largest remainder.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Amount {
    /// A fraction in [0, 1] of the remaining weights (or neurons) — torch's float `amount`.
    Fraction(f64),
    /// An absolute number, torch's int `amount`: exactly `n` entries go in total, over all the
    /// layers pruned, the output layer included. With an output rate below 1 the output layer
    /// takes the share its remaining weights × `output_rate` earn (`count:17` at rate 0.5 on a
    /// 2-8-8-2 network: 15 from the 80 hidden weights under global scope, 2 from the output's
    /// 16). More than a fraction of 1 would prune is an error.
    Count(usize),
}

impl Default for Amount {
    fn default() -> Self {
        Amount::Fraction(0.2)
    }
}

impl Amount {
    /// The name used by the CLI and URLs: `0.2` or `count:100`.
    pub fn name(self) -> String {
        match self {
            Amount::Fraction(f) => format!("{f}"),
            Amount::Count(n) => format!("count:{n}"),
        }
    }

    /// Parses `F` (a fraction in [0, 1]) or `count:N`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the allowed forms.
    pub fn parse(name: &str) -> Result<Self> {
        let amount = if let Some(n) = name.strip_prefix("count:") {
            Amount::Count(
                n.parse()
                    .map_err(|_| Error::config("amount", name, AMOUNT_ALLOWED))?,
            )
        } else {
            Amount::Fraction(
                parse_f64(name).ok_or_else(|| Error::config("amount", name, AMOUNT_ALLOWED))?,
            )
        };
        amount.validate()?;
        Ok(amount)
    }

    /// Checks that a fraction lies in [0, 1].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] otherwise.
    pub fn validate(self) -> Result<()> {
        match self {
            Amount::Fraction(f) if !(0.0..=1.0).contains(&f) => {
                Err(Error::config("amount", f, AMOUNT_ALLOWED))
            }
            _ => Ok(()),
        }
    }
}

impl TryFrom<String> for Amount {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Amount::parse(&s)
    }
}

impl From<Amount> for String {
    fn from(a: Amount) -> String {
        a.name()
    }
}

/// One pruning step: structure × score × scope × amount, the output layer's rate and the seed of
/// the random score. The default is Frankle & Carbin's fully connected setting: 20 % of the
/// remaining weights by magnitude, layer by layer, the output layer at half that rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PruneSpec {
    /// Weights or neurons.
    pub structure: Structure,
    /// The importance score.
    pub score: Score,
    /// Global or layer-wise ranking.
    pub scope: Scope,
    /// How much to prune.
    pub amount: Amount,
    /// The output layer is pruned at `fraction × output_rate`, ranked on its own; 0 leaves it
    /// alone; 1 treats it like the other layers (under global scope it then joins the global
    /// ranking). In [0, 1]. With a count, the output layer's share of the count is weighted by
    /// this rate (see [`Amount::Count`]). Ignored by structured pruning, which never removes
    /// output neurons.
    pub output_rate: f64,
    /// A rate per layer, for the layers before the output (weights) or the hidden layers
    /// (neurons) — the same `depth − 1` layers either way; empty = 1 for every layer. Each layer
    /// ranks on its own (layer scope only) and loses `round(fraction × rate × remaining)`; 0
    /// leaves it dense (OpenLTH's layers to ignore). With a count, its share is weighted by the
    /// rate as the output layer's is. Each in [0, 1]. The output layer keeps `output_rate`.
    pub layer_rates: Vec<f64>,
    /// Seed of the `random` score.
    pub seed: u64,
    /// Semi-structured N:M sparsity ([`super::nm`]) instead of an amount: every group of `m`
    /// consecutive inputs of a neuron keeps at most `n` weights, in every layer, the output
    /// layer included. `None` (absent) is unstructured pruning by `amount`. With a pattern the
    /// pattern says how many go, so `amount`, `scope` and `output_rate` are ignored; `structure`
    /// must be `weights` and `layer_rates` empty ([`PruneSpec::validate`] refuses the others).
    /// A schedule reaches it in steps of `k:m` ([`PruneSpec::at_step`], [`super::nm`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<NM>,
}

impl Default for PruneSpec {
    fn default() -> Self {
        PruneSpec {
            structure: Structure::Weights,
            score: Score::Magnitude,
            scope: Scope::Layer,
            amount: Amount::default(),
            output_rate: 0.5,
            layer_rates: Vec::new(),
            seed: 0,
            pattern: None,
        }
    }
}

impl PruneSpec {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field, the value and what is allowed.
    pub fn validate(&self) -> Result<()> {
        self.score.validate()?;
        self.amount.validate()?;
        if !(0.0..=1.0).contains(&self.output_rate) {
            return Err(Error::config(
                "output_rate",
                self.output_rate,
                Allowed::interval(0.0, 1.0, false, false),
            ));
        }
        if let Some(r) = self.layer_rates.iter().find(|r| !(0.0..=1.0).contains(*r)) {
            return Err(Error::config("layer_rates", r, "numbers in [0, 1]"));
        }
        if let Some(p) = self.pattern {
            if self.structure != Structure::Weights {
                return Err(Error::config(
                    "pattern",
                    p.name(),
                    "none with structure neurons (an N:M pattern masks single weights)",
                ));
            }
            if !self.layer_rates.is_empty() {
                return Err(Error::config(
                    "pattern",
                    p.name(),
                    "none with per-layer rates (every layer keeps N of every M)",
                ));
            }
        }
        if !self.layer_rates.is_empty() && self.scope != Scope::Layer {
            return Err(Error::config(
                "scope",
                self.scope.name(),
                "layer, when per-layer rates are given (each layer ranks on its own)",
            ));
        }
        Ok(())
    }

    /// The spec of step `step` (1-based) of a schedule of `steps` steps towards this spec (the
    /// page's iterative rounds, the lottery runner's levels): with a pattern `n:m`, the step's
    /// `k:m` ([`super::nm::step_pattern`]), or nothing pruned (amount 0, no pattern) when the
    /// step keeps all `m`; without one, the spec itself.
    pub fn at_step(&self, step: usize, steps: usize) -> PruneSpec {
        match self.pattern {
            Some(p) => match super::nm::step_pattern(p, step, steps) {
                Some(q) => PruneSpec {
                    pattern: Some(q),
                    ..self.clone()
                },
                None => PruneSpec {
                    pattern: None,
                    amount: Amount::Fraction(0.0),
                    ..self.clone()
                },
            },
            None => self.clone(),
        }
    }

    /// The rate of layer `l` of the `depth − 1` that [`PruneSpec::layer_rates`] covers.
    pub fn layer_rate(&self, l: usize) -> f64 {
        self.layer_rates.get(l).copied().unwrap_or(1.0)
    }
}
