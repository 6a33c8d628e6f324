//! The masked multi-layer perceptron.
//!
//! An [`Mlp`] is a stack of [`Dense`] layers. Each layer holds its weights in PyTorch's
//! `Linear` layout (`[out, in]`), a bias, and a 0/1 mask of the weights' shape. The invariant
//! every method keeps: **a weight whose mask is 0 is exactly 0.0**. The forward pass therefore
//! needs no mask at all; the backward pass zeroes masked gradients and the optimizers re-apply the
//! mask after each step (see [`crate::train`]).
//!
//! The model also keeps θ₀, its weights at initialization, and optionally the weights saved
//! after some training step k ("late rewinding"), so that a pruned network can be reset to
//! either — the heart of the lottery ticket experiment. Structured pruning
//! ([`Mlp::remove_neurons`]) shrinks every copy together.

mod activation;
mod init;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod lanes;
pub(crate) mod tiled;

pub use activation::{relu, tanh, Activation};
pub use init::Init;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::Allowed;
use crate::{rng, Error, Result};

/// Largest width of any layer.
pub const MAX_WIDTH: usize = 4096;
/// Largest number of hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = 16;
/// Largest total number of parameters (weights + biases).
pub const MAX_PARAMETERS: usize = 2_000_000;

/// `w` where the mask value `m` keeps it, exactly 0.0 where `m` is 0: the one rule every masking
/// in the crate applies (a select rather than a conditional store or `w * m`, so loops over it
/// vectorize and a non-finite `w` is still cleared).
#[inline(always)]
pub(crate) fn masked(w: f32, m: f32) -> f32 {
    if m == 0.0 {
        0.0
    } else {
        w
    }
}

/// Sets `w` to exactly 0.0 wherever `mask` is 0 (robust to non-finite `w`, unlike `w *= mask`).
pub(crate) fn apply_mask(w: &mut Array2<f32>, mask: &Array2<f32>) {
    if let (Some(ws), Some(ms)) = (w.as_slice_mut(), mask.as_slice()) {
        ws.iter_mut().zip(ms).for_each(|(w, &m)| *w = masked(*w, m));
    } else {
        ndarray::Zip::from(w)
            .and(mask)
            .for_each(|w, &m| *w = masked(*w, m));
    }
}

/// The architecture and initialization of an MLP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpSpec {
    /// Number of input features.
    pub inputs: usize,
    /// Width of each hidden layer, input side first. May be empty (logistic regression).
    pub hidden: Vec<usize>,
    /// Number of outputs.
    pub outputs: usize,
    /// Activation of every hidden layer.
    pub activation: Activation,
    /// Activation of the output layer (linear for softmax cross-entropy).
    pub output_activation: Activation,
    /// Weight initializer.
    pub init: Init,
    /// Seed of the initial weights.
    pub seed: u64,
}

impl MlpSpec {
    /// Layer widths from input to output, e.g. `[2, 8, 8, 1]`.
    pub fn widths(&self) -> Vec<usize> {
        let mut w = vec![self.inputs];
        w.extend(&self.hidden);
        w.push(self.outputs);
        w
    }

    /// Checks sizes against the documented limits.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        if self.inputs == 0 || self.inputs > MAX_WIDTH {
            return Err(Error::config(
                "inputs",
                self.inputs,
                Allowed::Range {
                    min: 1,
                    max: MAX_WIDTH as u64,
                },
            ));
        }
        if self.outputs == 0 || self.outputs > MAX_WIDTH {
            return Err(Error::config(
                "outputs",
                self.outputs,
                Allowed::Range {
                    min: 1,
                    max: MAX_WIDTH as u64,
                },
            ));
        }
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(Error::config(
                "hidden",
                self.hidden.len(),
                Allowed::HiddenLayers {
                    max: MAX_HIDDEN_LAYERS,
                },
            ));
        }
        if let Some(&w) = self.hidden.iter().find(|&&w| w == 0 || w > MAX_WIDTH) {
            return Err(Error::config(
                "hidden",
                w,
                Allowed::LayerWidth { max: MAX_WIDTH },
            ));
        }
        let widths = self.widths();
        let params: usize = widths.windows(2).map(|p| p[0] * p[1] + p[1]).sum();
        if params > MAX_PARAMETERS {
            return Err(Error::config(
                "hidden",
                params,
                Allowed::Parameters {
                    max: MAX_PARAMETERS,
                },
            ));
        }
        Ok(())
    }
}

/// A layer's trainable values: weights `[out, in]` and bias `[out]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerParams {
    /// Weights in PyTorch `Linear` layout, `[out, in]`.
    pub weight: Array2<f32>,
    /// Bias, `[out]`.
    pub bias: Array1<f32>,
}

/// One fully connected layer: `a = act(x · Wᵀ + b)`, with a 0/1 mask on `W`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Weights `[out, in]`; masked entries are exactly 0.
    pub(crate) weight: Array2<f32>,
    /// Bias `[out]`.
    pub(crate) bias: Array1<f32>,
    /// 1.0 where the weight is alive, 0.0 where it is pruned; same shape as `weight`.
    pub(crate) mask: Array2<f32>,
    /// The non-linearity applied after the affine map.
    pub activation: Activation,
}

impl Dense {
    /// Weights `[out, in]`.
    pub fn weight(&self) -> ArrayView2<'_, f32> {
        self.weight.view()
    }
    /// Bias `[out]`.
    pub fn bias(&self) -> ndarray::ArrayView1<'_, f32> {
        self.bias.view()
    }
    /// The 0/1 mask, same shape as the weights.
    pub fn mask(&self) -> ArrayView2<'_, f32> {
        self.mask.view()
    }
    /// Number of inputs.
    pub fn fan_in(&self) -> usize {
        self.weight.ncols()
    }
    /// Number of outputs (neurons).
    pub fn fan_out(&self) -> usize {
        self.weight.nrows()
    }
    /// Number of weights whose mask is 1.
    pub fn alive(&self) -> usize {
        self.mask.iter().filter(|&&m| m != 0.0).count()
    }
    /// Fraction of weights still alive.
    pub fn density(&self) -> f64 {
        self.alive() as f64 / self.mask.len().max(1) as f64
    }
    /// `x · Wᵀ + b`, then the activation, for a batch `x` of shape `[batch, in]`.
    pub fn forward(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut z = Array2::zeros((x.nrows(), self.fan_out()));
        self.forward_into(x, z.view_mut(), &mut tiled::Panels::default());
        z
    }

    /// [`Dense::forward`] into `z` (`[batch, out]`, every value overwritten): the product through
    /// the tiled kernel where the arrays are contiguous (always, for the core's own), else
    /// through the GEMM library; the bias added to each finished sum, then the activation. The
    /// tiled kernel gives the same numbers natively and in WebAssembly (see `tiled`).
    pub(crate) fn forward_into(
        &self,
        x: ArrayView2<f32>,
        mut z: ArrayViewMut2<f32>,
        panels: &mut tiled::Panels,
    ) {
        let (rows, n_in) = x.dim();
        let n_out = self.fan_out();
        if let (Some(xs), Some(w), Some(bias), Some(zs)) = (
            x.as_slice(),
            tiled::Right::weights_transposed(&self.weight),
            self.bias.as_slice(),
            z.as_slice_mut(),
        ) {
            tiled::matmul(
                (xs, (n_in, 1)),
                w,
                (zs, n_out),
                Some(bias),
                (rows, n_out, n_in),
                panels,
            );
        } else {
            general_mat_mul(1.0, &x, &self.weight.t(), 0.0, &mut z);
            z += &self.bias;
        }
        self.activation.apply(z);
    }
}

/// Two activation buffers and the panels of the tiled product, reused by
/// [`Mlp::forward_reusing`] from one batch to the next.
#[derive(Debug, Clone, Default)]
pub(crate) struct ForwardScratch {
    bufs: [Vec<f32>; 2],
    panels: tiled::Panels,
}

/// A masked multi-layer perceptron that remembers its initial weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub(crate) layers: Vec<Dense>,
    /// θ₀: every layer's weights and bias at initialization (full values, not masked).
    pub(crate) initial: Vec<LayerParams>,
    /// False for a model imported without its θ₀ (then `initial` only repeats the loaded
    /// weights, and [`Mlp::rewind_to_init`] refuses).
    pub(crate) init_known: bool,
    /// Weights saved after training step `k`, for late rewinding.
    pub(crate) rewind_point: Option<(u64, Vec<LayerParams>)>,
    /// For each hidden layer, the original indices of the neurons still present.
    pub(crate) neuron_ids: Vec<Vec<usize>>,
    pub(crate) spec: MlpSpec,
}

impl Mlp {
    /// A fresh, dense network drawn from `spec.init` with `spec.seed`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the spec is outside the limits.
    pub fn new(spec: &MlpSpec) -> Result<Self> {
        spec.validate()?;
        let widths = spec.widths();
        let mut rng = rng::derived(spec.seed, "init");
        let n = widths.len() - 1;
        let layers: Vec<Dense> = (0..n)
            .map(|l| {
                let (fan_in, fan_out) = (widths[l], widths[l + 1]);
                let weight = spec.init.sample(fan_out, fan_in, &mut rng);
                Dense {
                    weight,
                    bias: spec.init.sample_bias(fan_out, fan_in, &mut rng),
                    mask: Array2::ones((fan_out, fan_in)),
                    activation: if l + 1 == n {
                        spec.output_activation
                    } else {
                        spec.activation
                    },
                }
            })
            .collect();
        let initial = layers
            .iter()
            .map(|d| LayerParams {
                weight: d.weight.clone(),
                bias: d.bias.clone(),
            })
            .collect();
        Ok(Mlp {
            layers,
            initial,
            init_known: true,
            rewind_point: None,
            neuron_ids: spec.hidden.iter().map(|&w| (0..w).collect()).collect(),
            spec: spec.clone(),
        })
    }

    /// Rebuilds a model from its parts, as [`Mlp::spec`], [`Mlp::params`], [`Mlp::masks`],
    /// [`Mlp::initial_params`] and [`Mlp::neuron_ids`] give them (used by [`crate::io`]).
    ///
    /// `spec.hidden` holds the *original* widths; the current width of hidden layer `h` is
    /// `neuron_ids[h].len()`, and every layer of `params`, `masks` and `initial` must have the
    /// current shape. Masked weights are set to 0. No rewind point is set.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if the spec is outside the limits, a mask holds a value other than
    /// 0 and 1, or `neuron_ids[h]` is not ascending distinct indices below `spec.hidden[h]`;
    /// [`Error::Shape`] if a part has the wrong number of layers or a layer the wrong shape.
    pub fn from_parts(
        spec: &MlpSpec,
        params: Vec<LayerParams>,
        masks: Vec<Array2<f32>>,
        initial: Vec<LayerParams>,
        neuron_ids: Vec<Vec<usize>>,
    ) -> Result<Self> {
        spec.validate()?;
        if neuron_ids.len() != spec.hidden.len() {
            return Err(Error::Shape {
                what: "neuron_ids".into(),
                expected: format!("{} hidden layers", spec.hidden.len()),
                got: format!("{} hidden layers", neuron_ids.len()),
            });
        }
        for (h, (ids, &original)) in neuron_ids.iter().zip(&spec.hidden).enumerate() {
            let sorted = ids.windows(2).all(|p| p[0] < p[1]);
            if ids.is_empty() || !sorted || ids.iter().any(|&i| i >= original) {
                return Err(Error::config(
                    "neuron_ids",
                    format!("hidden layer {h}: {ids:?}"),
                    format!("at least one ascending distinct index below {original}"),
                ));
            }
        }
        let mut widths = vec![spec.inputs];
        widths.extend(neuron_ids.iter().map(Vec::len));
        widths.push(spec.outputs);
        let n = widths.len() - 1;
        let shape_error = |what: &str, got: String| Error::Shape {
            what: what.into(),
            expected: format!(
                "{n} layers of shapes {:?}",
                (0..n)
                    .map(|l| (widths[l + 1], widths[l]))
                    .collect::<Vec<_>>()
            ),
            got,
        };
        for (what, parts) in [("parameters", &params), ("initial parameters", &initial)] {
            let fits = parts.len() == n
                && parts.iter().enumerate().all(|(l, p)| {
                    p.weight.dim() == (widths[l + 1], widths[l]) && p.bias.len() == widths[l + 1]
                });
            if !fits {
                let got = parts
                    .iter()
                    .map(|p| format!("{:?} + bias [{}]", p.weight.dim(), p.bias.len()))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(shape_error(what, got));
            }
        }
        if masks.len() != n
            || masks
                .iter()
                .enumerate()
                .any(|(l, m)| m.dim() != (widths[l + 1], widths[l]))
        {
            let got = format!("{:?}", masks.iter().map(|m| m.dim()).collect::<Vec<_>>());
            return Err(shape_error("masks", got));
        }
        if let Some(v) = masks
            .iter()
            .flat_map(|m| m.iter())
            .find(|&&v| v != 0.0 && v != 1.0)
        {
            return Err(Error::config("mask", v, Allowed::Binary));
        }
        let layers = params
            .into_iter()
            .zip(masks)
            .enumerate()
            .map(|(l, (p, mask))| {
                let mut weight = p.weight;
                apply_mask(&mut weight, &mask);
                Dense {
                    weight,
                    bias: p.bias,
                    mask,
                    activation: if l + 1 == n {
                        spec.output_activation
                    } else {
                        spec.activation
                    },
                }
            })
            .collect();
        Ok(Mlp {
            layers,
            initial,
            init_known: true,
            rewind_point: None,
            neuron_ids,
            spec: spec.clone(),
        })
    }

    /// The spec the model was built from (its `hidden` gives the *original* widths).
    pub fn spec(&self) -> &MlpSpec {
        &self.spec
    }
    /// The layers, input side first.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }
    /// Current widths from input to output (smaller than the spec's after structured pruning).
    pub fn widths(&self) -> Vec<usize> {
        let mut w = vec![self.layers[0].fan_in()];
        w.extend(self.layers.iter().map(Dense::fan_out));
        w
    }
    /// For each hidden layer, the original indices of the neurons still present.
    pub fn neuron_ids(&self) -> &[Vec<usize>] {
        &self.neuron_ids
    }
    /// θ₀ as it applies to the current shape (the loaded weights if θ₀ is unknown: see
    /// [`Mlp::init_known`]).
    pub fn initial_params(&self) -> &[LayerParams] {
        &self.initial
    }
    /// Whether θ₀ is known: false for a model imported without its θ₀ file, until a reinit
    /// draws a new one.
    pub fn init_known(&self) -> bool {
        self.init_known
    }
    /// Marks θ₀ as unknown (a model read without its θ₀): θ₀ becomes the current weights as a
    /// placeholder, and [`Mlp::rewind_to_init`] refuses.
    pub fn forget_init(&mut self) {
        self.initial = self.params();
        self.init_known = false;
    }
    /// Sets θ₀ (full values, not masked), e.g. read from a θ₀ file; θ₀ is known afterwards.
    ///
    /// # Errors
    /// [`Error::Shape`] if a layer's shape differs from the model's; nothing changes then.
    pub fn set_initial(&mut self, initial: Vec<LayerParams>) -> Result<()> {
        let fits = initial.len() == self.layers.len()
            && initial
                .iter()
                .zip(&self.layers)
                .all(|(p, d)| p.weight.dim() == d.weight.dim() && p.bias.len() == d.bias.len());
        if !fits {
            return Err(Error::Shape {
                what: "θ₀".into(),
                expected: format!("{} layers of the model's shapes", self.layers.len()),
                got: format!("{} layers", initial.len()),
            });
        }
        self.initial = initial;
        self.init_known = true;
        Ok(())
    }
    /// The step and weights of the late-rewinding snapshot, if one was saved.
    pub fn rewind_point(&self) -> Option<(u64, &[LayerParams])> {
        self.rewind_point.as_ref().map(|(k, p)| (*k, p.as_slice()))
    }

    /// Total number of weights (not biases) at the current shape.
    pub fn n_weights(&self) -> usize {
        self.layers.iter().map(|d| d.weight.len()).sum()
    }
    /// Number of weights whose mask is 1.
    pub fn n_alive(&self) -> usize {
        self.layers.iter().map(Dense::alive).sum()
    }
    /// Number of parameters (weights + biases) at the current shape.
    pub fn n_parameters(&self) -> usize {
        self.layers
            .iter()
            .map(|d| d.weight.len() + d.bias.len())
            .sum()
    }
    /// Weights alive over the weights of the *original* architecture, so structured pruning
    /// lowers density just as masking does.
    pub fn density(&self) -> f64 {
        let widths = self.spec.widths();
        let original: usize = widths.windows(2).map(|p| p[0] * p[1]).sum();
        self.n_alive() as f64 / original.max(1) as f64
    }
    /// Per-layer density (alive over the layer's original size).
    pub fn layer_density(&self) -> Vec<f64> {
        let widths = self.spec.widths();
        self.layers
            .iter()
            .enumerate()
            .map(|(l, d)| d.alive() as f64 / (widths[l] * widths[l + 1]).max(1) as f64)
            .collect()
    }

    /// The network's outputs (after the output activation) for a batch `[batch, inputs]`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has the wrong number of columns.
    pub fn forward(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        self.check_input(x)?;
        Ok(self
            .forward_reusing(x, &mut ForwardScratch::default())
            .to_owned())
    }

    /// The forward pass without allocating (once `scratch` has grown to the batch): the outputs
    /// stay in `scratch` ([`Mlp::forward`] copies them out). `x` must fit the model (see
    /// [`Mlp::check_input`]).
    pub(crate) fn forward_reusing<'s>(
        &self,
        x: ArrayView2<f32>,
        scratch: &'s mut ForwardScratch,
    ) -> ArrayView2<'s, f32> {
        let rows = x.nrows();
        let [input, output] = &mut scratch.bufs;
        for (l, d) in self.layers.iter().enumerate() {
            let n = rows * d.fan_out();
            if output.len() < n {
                output.resize(n, 0.0);
            }
            let z = ArrayViewMut2::from_shape((rows, d.fan_out()), &mut output[..n])
                .expect("the buffer holds the layer's outputs");
            if l == 0 {
                d.forward_into(x, z, &mut scratch.panels);
            } else {
                let a = ArrayView2::from_shape((rows, d.fan_in()), &input[..rows * d.fan_in()])
                    .expect("the buffer holds the previous layer's outputs");
                d.forward_into(a, z, &mut scratch.panels);
            }
            std::mem::swap(input, output);
        }
        let outputs = self.layers[self.layers.len() - 1].fan_out();
        ArrayView2::from_shape((rows, outputs), &input[..rows * outputs])
            .expect("the buffer holds the outputs")
    }

    /// Every layer's activations for a batch: `out[l]` is layer `l`'s output, `[batch, width]`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has the wrong number of columns.
    pub fn activations(&self, x: ArrayView2<f32>) -> Result<Vec<Array2<f32>>> {
        self.check_input(x)?;
        let mut out: Vec<Array2<f32>> = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate() {
            let a = if l == 0 {
                layer.forward(x)
            } else {
                layer.forward(out[l - 1].view())
            };
            out.push(a);
        }
        Ok(out)
    }

    pub(crate) fn check_input(&self, x: ArrayView2<f32>) -> Result<()> {
        let inputs = self.layers[0].fan_in();
        if x.ncols() != inputs {
            return Err(Error::Shape {
                what: "input batch".into(),
                expected: format!("[batch, {inputs}]"),
                got: format!("[{}, {}]", x.nrows(), x.ncols()),
            });
        }
        Ok(())
    }

    /// The current weights and biases (masked weights are 0).
    pub fn params(&self) -> Vec<LayerParams> {
        self.layers
            .iter()
            .map(|d| LayerParams {
                weight: d.weight.clone(),
                bias: d.bias.clone(),
            })
            .collect()
    }

    /// Replaces weights and biases; the masks stay and are re-applied.
    ///
    /// # Errors
    /// [`Error::Shape`] if any shape differs from the current layers.
    pub fn set_params(&mut self, params: &[LayerParams]) -> Result<()> {
        self.check_params(params, "parameters")?;
        for (d, p) in self.layers.iter_mut().zip(params) {
            d.weight.assign(&p.weight);
            apply_mask(&mut d.weight, &d.mask);
            d.bias.assign(&p.bias);
        }
        Ok(())
    }

    fn check_params(&self, params: &[LayerParams], what: &str) -> Result<()> {
        let ok = params.len() == self.layers.len()
            && self
                .layers
                .iter()
                .zip(params)
                .all(|(d, p)| d.weight.dim() == p.weight.dim() && d.bias.len() == p.bias.len());
        if ok {
            Ok(())
        } else {
            Err(Error::Shape {
                what: what.into(),
                expected: format!("{:?}", self.widths()),
                got: format!(
                    "{:?}",
                    params.iter().map(|p| p.weight.dim()).collect::<Vec<_>>()
                ),
            })
        }
    }

    /// The masks, one per layer.
    pub fn masks(&self) -> Vec<Array2<f32>> {
        self.layers.iter().map(|d| d.mask.clone()).collect()
    }

    /// Installs new masks and zeroes the weights they remove. A mask must contain only 0.0 and
    /// 1.0 and have its layer's shape.
    ///
    /// # Errors
    /// [`Error::Shape`] on a shape mismatch, [`Error::InvalidConfig`] on a value other than 0/1.
    /// On error the model is unchanged.
    pub fn set_masks(&mut self, masks: &[Array2<f32>]) -> Result<()> {
        self.check_masks(masks)?;
        for (d, m) in self.layers.iter_mut().zip(masks) {
            d.mask.assign(m);
            apply_mask(&mut d.weight, &d.mask);
        }
        Ok(())
    }

    /// Checks that `masks` has one array of each layer's shape holding only 0.0 and 1.0.
    ///
    /// # Errors
    /// [`Error::Shape`] on a shape mismatch, [`Error::InvalidConfig`] on a value other than 0/1.
    pub fn check_masks(&self, masks: &[Array2<f32>]) -> Result<()> {
        let shapes =
            |it: &mut dyn Iterator<Item = (usize, usize)>| format!("{:?}", it.collect::<Vec<_>>());
        if masks.len() != self.layers.len()
            || self
                .layers
                .iter()
                .zip(masks)
                .any(|(d, m)| d.weight.dim() != m.dim())
        {
            return Err(Error::Shape {
                what: "masks".into(),
                expected: shapes(&mut self.layers.iter().map(|d| d.weight.dim())),
                got: shapes(&mut masks.iter().map(|m| m.dim())),
            });
        }
        if let Some(v) = masks
            .iter()
            .flat_map(|m| m.iter())
            .find(|&&v| v != 0.0 && v != 1.0)
        {
            return Err(Error::config("mask", v, Allowed::Binary));
        }
        Ok(())
    }

    /// Rewinds every surviving weight and every bias to θ₀; the masks stay.
    ///
    /// # Errors
    /// [`Error::State`] if θ₀ is unknown (a model imported without its θ₀ file); nothing
    /// changes then.
    pub fn rewind_to_init(&mut self) -> Result<()> {
        if !self.init_known {
            return Err(Error::state(
                "θ₀ is unknown: the model was imported without its θ₀ file (NAME.init.safetensors, \
                 written by export --with-init or the page's θ₀ export); import the two files \
                 together to rewind"
                    ,
            ));
        }
        let initial = self.initial.clone();
        self.set_params(&initial)
            .expect("θ₀ always has the model's shape");
        Ok(())
    }

    /// Saves the current weights as the late-rewinding point for step `k`.
    pub fn save_rewind_point(&mut self, k: u64) {
        self.rewind_point = Some((k, self.params()));
    }

    /// Rewinds surviving weights and biases to the snapshot saved at step `k`.
    ///
    /// # Errors
    /// [`Error::State`] if no snapshot was saved at step `k`.
    pub fn rewind_to_step(&mut self, k: u64) -> Result<()> {
        match &self.rewind_point {
            Some((saved, p)) if *saved == k => {
                let p = p.clone();
                self.set_params(&p)
            }
            Some((saved, _)) => Err(Error::Rewind {
                step: k,
                saved: Some(*saved),
            }),
            None => Err(Error::Rewind {
                step: k,
                saved: None,
            }),
        }
    }

    /// Replaces the surviving weights with fresh ones drawn from the spec's initializer with a new
    /// `seed` (biases back to their initializer's draw: 0, or U(±1/√fan_in) for `torch`); the masks stay. This is the random re-initialization control. θ₀
    /// becomes the new draw, so a later rewind goes back to it.
    pub fn reinit(&mut self, seed: u64) {
        let mut rng = rng::derived(seed, "reinit");
        let fresh: Vec<LayerParams> = self
            .layers
            .iter()
            .enumerate()
            .map(|(l, d)| {
                // The variance follows the *original* fans, as the dense network was drawn.
                let widths = self.spec.widths();
                let var_w = self.spec.init.sample(d.fan_out(), d.fan_in(), &mut rng);
                let scale = (self.spec.init.variance(widths[l], widths[l + 1])
                    / self.spec.init.variance(d.fan_in(), d.fan_out()))
                .sqrt();
                LayerParams {
                    weight: var_w * scale,
                    bias: self.spec.init.sample_bias(d.fan_out(), widths[l], &mut rng),
                }
            })
            .collect();
        self.set_params(&fresh)
            .expect("fresh weights have the model's shape");
        self.initial = fresh;
        self.init_known = true;
    }

    /// Structured pruning: keeps only the neurons `keep` (indices into the *current* layer,
    /// ascending, distinct) of hidden layer `hidden` (0 = first hidden layer), physically removing
    /// the others — their row of incoming weights, their bias and their column of outgoing
    /// weights — from the model, from θ₀ and from the rewind snapshot.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `hidden` is not a hidden layer, if `keep` is empty, unsorted,
    /// repeats or is out of range. On error the model is unchanged.
    pub fn remove_neurons(&mut self, hidden: usize, keep: &[usize]) -> Result<()> {
        if hidden + 1 >= self.layers.len() {
            return Err(Error::config(
                "layer",
                hidden,
                format!("a hidden layer index below {}", self.layers.len() - 1),
            ));
        }
        let width = self.layers[hidden].fan_out();
        if keep.is_empty() {
            return Err(Error::config(
                "neurons",
                "none kept",
                "at least one neuron must stay in every hidden layer",
            ));
        }
        if keep.windows(2).any(|p| p[0] >= p[1]) || keep[keep.len() - 1] >= width {
            return Err(Error::config(
                "neurons",
                format!("{keep:?}"),
                format!("ascending distinct indices below {width}"),
            ));
        }
        fn shrink(into: &mut LayerParams, out: &mut LayerParams, keep: &[usize]) {
            into.weight = into.weight.select(Axis(0), keep);
            into.bias = into.bias.select(Axis(0), keep);
            out.weight = out.weight.select(Axis(1), keep);
        }
        let (a, b) = self.layers.split_at_mut(hidden + 1);
        let (into, out) = (&mut a[hidden], &mut b[0]);
        into.weight = into.weight.select(Axis(0), keep);
        into.mask = into.mask.select(Axis(0), keep);
        into.bias = into.bias.select(Axis(0), keep);
        out.weight = out.weight.select(Axis(1), keep);
        out.mask = out.mask.select(Axis(1), keep);
        {
            let (a, b) = self.initial.split_at_mut(hidden + 1);
            shrink(&mut a[hidden], &mut b[0], keep);
        }
        if let Some((_, p)) = &mut self.rewind_point {
            let (a, b) = p.split_at_mut(hidden + 1);
            shrink(&mut a[hidden], &mut b[0], keep);
        }
        self.neuron_ids[hidden] = keep.iter().map(|&i| self.neuron_ids[hidden][i]).collect();
        Ok(())
    }
}
