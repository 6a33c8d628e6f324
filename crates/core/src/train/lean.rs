//! The lean training path for small networks: a whole step's forward and backward pass on plain
//! row-major slices with preallocated buffers.
//!
//! For a TF-Playground-sized network (2-8-8-1 at batch 10: about 900 multiply-adds forward and
//! 2.6 k per step in all) the arithmetic is tiny and a step's time is per-operation overhead:
//! ndarray views, slices and zips, layout checks, per-row loops through iterators. This path
//! keeps the general path's semantics and shares its code for everything that computes a number
//! — the product kernels (`kernels::small_*`), the activation ([`super::activate`]), the loss
//! ([`Loss::rows`]), the activation derivatives, the bias gradient (`kernels::column_sums`), and,
//! after it, the same regularization and optimizer — and only drops the ndarray plumbing around
//! them. So it gives the general path's numbers bit for bit (tested against it below).
//!
//! It covers a model when [`covers`] says so: every layer's products are small enough for the
//! direct kernels at this batch size and too small for the sparse ones, and its arrays are
//! row-major. Anything else (large layers: GEMM; sparse layers; weights left column-major by
//! structured pruning) trains through the general path.

use super::kernels::{self, SMALL, SPARSE_MIN_WEIGHTS};
use super::{activate, Grads, Loss};
use crate::model::{Dense, Mlp};

/// True if the lean path trains these layers at this batch size: each layer's products are
/// computed by the direct small-matrix loops (batch × fan-in × fan-out ≤ [`SMALL`]) and the layer
/// is never sparse (fewer than [`SPARSE_MIN_WEIGHTS`] weights), so the general path would run
/// the very same kernels; and the weights, masks and biases are row-major slices.
pub(crate) fn covers(layers: &[Dense], batch: usize) -> bool {
    layers.iter().all(|d| {
        let n = d.weight.len();
        batch * n <= SMALL
            && n < SPARSE_MIN_WEIGHTS
            && d.weight.is_standard_layout()
            && d.mask.is_standard_layout()
            && d.bias.as_slice().is_some()
    })
}

/// The lean path's buffers, sized for one batch size and one list of widths and reused.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lean {
    batch: usize,
    widths: Vec<usize>,
    /// The batch's inputs, `[batch, widths[0]]`.
    x: Vec<f32>,
    /// The batch's labels.
    y: Vec<usize>,
    /// Each layer's outputs after its activation, `[batch, widths[l + 1]]`.
    acts: Vec<Vec<f32>>,
    /// ∂L/∂z of each layer, same shapes.
    deltas: Vec<Vec<f32>>,
    /// Scratch for a transposed weight matrix.
    wt: Vec<f32>,
}

impl Lean {
    /// Sizes the buffers (allocates only when the batch size or a width changed).
    fn fit(&mut self, batch: usize, layers: &[Dense]) {
        let same = self.batch == batch
            && self.widths.len() == layers.len() + 1
            && self.widths[0] == layers[0].fan_in()
            && layers
                .iter()
                .zip(&self.widths[1..])
                .all(|(d, &w)| d.fan_out() == w);
        if same {
            return;
        }
        self.batch = batch;
        self.widths.clear();
        self.widths.push(layers[0].fan_in());
        self.widths.extend(layers.iter().map(Dense::fan_out));
        self.x = vec![0.0; batch * self.widths[0]];
        self.y = Vec::with_capacity(batch);
        self.acts = self.widths[1..]
            .iter()
            .map(|&w| vec![0.0; batch * w])
            .collect();
        self.deltas = self.acts.clone();
    }

    /// Gathers the training rows `rows` of `(x, y)` (x row-major with the model's input width),
    /// runs the forward and backward pass, and leaves every layer's gradients in `grads` (masked
    /// entries not yet cleared, as the general path leaves them). Returns the batch loss.
    ///
    /// The caller has checked [`covers`] for a batch size of at least `rows.len()`.
    pub(crate) fn backprop(
        &mut self,
        model: &Mlp,
        (x, y): (&[f32], &[usize]),
        rows: &[usize],
        loss: Loss,
        grads: &mut Grads,
    ) -> f64 {
        let layers = &model.layers;
        let b = rows.len();
        self.fit(self.batch.max(b), layers);
        let n0 = self.widths[0];
        if n0 < 8 {
            // A few features (the playground's 2): column by column, strided, rather than a
            // `memory.copy` per row, which costs a call out of wasm code in V8.
            for c in 0..n0 {
                for (r, &i) in rows.iter().enumerate() {
                    self.x[r * n0 + c] = x[i * n0 + c];
                }
            }
        } else {
            for (dst, &i) in self.x.chunks_exact_mut(n0).zip(rows) {
                dst.copy_from_slice(&x[i * n0..(i + 1) * n0]);
            }
        }
        self.y.clear();
        self.y.extend(rows.iter().map(|&i| y[i]));

        // Forward: a_l = act(a_{l-1} · W_lᵀ + b_l).
        for (l, d) in layers.iter().enumerate() {
            let dims = (b, d.fan_in(), d.fan_out());
            let (done, rest) = self.acts.split_at_mut(l);
            let input = if l == 0 {
                &self.x[..]
            } else {
                &done[l - 1][..]
            };
            let z = &mut rest[0][..b * dims.2];
            let bias = d.bias.as_slice().expect("covers: bias");
            let operands = (&input[..b * dims.1], row_major(d), bias);
            kernels::small_forward(operands, z, dims, &mut self.wt);
            activate(z, d.activation);
        }

        // ∂L/∂a at the output, then through the output activation.
        let depth = layers.len();
        let out = &layers[depth - 1];
        let k = out.fan_out();
        let a = &self.acts[depth - 1][..b * k];
        let g = &mut self.deltas[depth - 1][..b * k];
        let value = loss.rows(a, k, &self.y, out.activation, Some(&mut *g));
        out.activation.backprop_slice(g, a);

        // Backward: gW_l = δ_lᵀ · a_{l-1}; gb_l = Σ δ_l; δ_{l-1} = (δ_l · W_l) ⊙ act'(a_{l-1}).
        for (l, d) in layers.iter().enumerate().rev() {
            let dims = (b, d.fan_in(), d.fan_out());
            let input = if l == 0 {
                &self.x[..]
            } else {
                &self.acts[l - 1][..]
            };
            let input = &input[..b * dims.1];
            let (lower, upper) = self.deltas.split_at_mut(l);
            let delta = &upper[0][..b * dims.2];
            kernels::small_weight_grad(delta, input, &mut grads.w[l], dims);
            kernels::column_sums(delta, &mut grads.b[l]);
            if l > 0 {
                let d_prev = &mut lower[l - 1][..b * dims.1];
                kernels::small_input_grad(delta, row_major(d), d_prev, dims);
                layers[l - 1].activation.backprop_slice(d_prev, input);
            }
        }
        value
    }
}

/// A layer's weights as a row-major slice (the lean path only takes such layers).
fn row_major(d: &Dense) -> &[f32] {
    d.weight.as_slice().expect("covers: row-major weights")
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use rand::Rng;

    use super::covers;
    use crate::data::Dataset;
    use crate::model::{Activation, Init, Mlp, MlpSpec};
    use crate::train::{Loss, Optimizer, TrainConfig, Trainer};

    /// A random problem with `features` inputs and `classes` classes (labels from a fixed
    /// linear rule, so training has something to learn), `n` rows for training and `n` for test.
    fn data(n: usize, features: usize, classes: usize, seed: u64) -> Dataset {
        let mut r = crate::rng::seeded(seed);
        let x = Array2::from_shape_simple_fn((2 * n, features), || r.random_range(-1.5f32..1.5));
        let y: Vec<usize> = x
            .rows()
            .into_iter()
            .map(|row| {
                let s: f32 = row
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v * (1.0 - 0.4 * i as f32))
                    .sum();
                ((s + 3.0).max(0.0) as usize * classes / 6).min(classes - 1)
            })
            .collect();
        Dataset {
            name: "random".into(),
            x_train: x.slice(ndarray::s![..n, ..]).to_owned(),
            y_train: y[..n].to_vec(),
            x_test: x.slice(ndarray::s![n.., ..]).to_owned(),
            y_test: y[n..].to_vec(),
            x_val: Array2::zeros((0, 0)),
            y_val: Vec::new(),
            n_classes: classes,
            feature_names: (0..features).map(|i| format!("x{i}")).collect(),
        }
    }

    /// Every weight, bias and the full bit pattern of each, layer by layer.
    fn bits(m: &Mlp) -> Vec<Vec<u32>> {
        m.layers()
            .iter()
            .flat_map(|d| {
                [
                    d.weight().iter().map(|v| v.to_bits()).collect(),
                    d.bias().iter().map(|v| v.to_bits()).collect(),
                ]
            })
            .collect()
    }

    /// Masks with about a third of each layer's weights pruned (a fixed pseudo-random pattern).
    fn masks(m: &Mlp, seed: u64) -> Vec<Array2<f32>> {
        let mut r = crate::rng::seeded(seed);
        m.layers()
            .iter()
            .map(|d| {
                Array2::from_shape_simple_fn(d.weight().dim(), || {
                    f32::from(u8::from(r.random::<f64>() > 0.33))
                })
            })
            .collect()
    }

    /// The lean path trains small networks to exactly the weights (bit for bit) and the metrics
    /// of the general ndarray path, over every activation, both losses (one and several MSE
    /// outputs), every optimizer, masks, L1/L2 penalties, widths that are not multiples of the
    /// kernels' 4 and 8 lanes, no hidden layer at all, and batch sizes that do not divide the
    /// training set (a short last batch every epoch) — several epochs each, with masked weights
    /// exactly 0 at the end. Each configuration is checked to take the lean path.
    #[test]
    fn lean_path_trains_bit_for_bit_like_the_general_path() {
        let optimizers = [
            Optimizer::Sgd,
            Optimizer::Momentum { beta: 0.9 },
            Optimizer::adam(),
        ];
        use Activation::{Linear, Relu, Sigmoid, Tanh};
        use Loss::{CrossEntropy as Ce, Mse};
        // (hidden, inputs, activation, output activation, loss, batch, masked, (l1, l2))
        let cases: [(&[usize], _, _, _, _, _, _, _); 10] = [
            (&[8, 8], 2, Tanh, Tanh, Mse, 10, false, (0.0, 0.0)),
            (&[8, 8], 2, Tanh, Tanh, Mse, 7, true, (1e-3, 1e-3)),
            (&[5, 3], 3, Relu, Linear, Ce, 16, true, (0.0, 1e-2)),
            (&[16, 12], 4, Sigmoid, Sigmoid, Mse, 9, false, (1e-3, 0.0)),
            (&[9], 2, Linear, Linear, Ce, 1, true, (0.0, 0.0)),
            (&[], 6, Relu, Linear, Ce, 13, false, (1e-3, 1e-3)),
            (&[12, 7, 5], 9, Relu, Relu, Mse, 11, true, (0.0, 0.0)),
            (&[4, 4], 2, Tanh, Sigmoid, Mse, 32, false, (0.0, 0.0)),
            (&[33, 17], 10, Tanh, Linear, Ce, 8, true, (1e-4, 1e-3)),
            (&[6, 6], 2, Sigmoid, Tanh, Mse, 5, true, (0.0, 0.0)),
        ];
        for (c, &(hidden, inputs, act, out, loss, batch, masked, (l1, l2))) in
            cases.iter().enumerate()
        {
            for (o, &optimizer) in optimizers.iter().enumerate() {
                let classes = if c % 3 == 1 { 2 } else { 3 };
                let data = data(60 + c, inputs, classes, c as u64);
                let spec = MlpSpec {
                    inputs,
                    hidden: hidden.to_vec(),
                    outputs: loss.outputs(classes),
                    activation: act,
                    output_activation: out,
                    init: Init::GlorotNormal,
                    seed: (10 * c + o) as u64,
                };
                let mut model = Mlp::new(&spec).unwrap();
                let mask = masks(&model, c as u64);
                if masked {
                    model.set_masks(&mask).unwrap();
                }
                assert!(
                    covers(model.layers(), batch),
                    "case {c} takes the lean path"
                );
                let config = TrainConfig {
                    loss,
                    optimizer,
                    learning_rate: 0.05,
                    batch_size: batch,
                    l1,
                    l2,
                    seed: c as u64,
                    rewind_step: None,
                };
                let run = |lean: bool| {
                    let mut m = model.clone();
                    let mut t = Trainer::new(config.clone()).unwrap();
                    t.set_lean_path(lean);
                    let mut metrics = Vec::new();
                    for _ in 0..3 {
                        metrics.push(t.train_epoch(&mut m, &data).unwrap());
                    }
                    metrics.extend(t.train_steps(&mut m, &data, 11).unwrap());
                    (m, metrics)
                };
                let (lean, lean_metrics) = run(true);
                let (general, general_metrics) = run(false);
                assert_eq!(bits(&lean), bits(&general), "case {c}, {optimizer:?}");
                assert_eq!(lean_metrics, general_metrics, "case {c}, {optimizer:?}");
                assert_ne!(bits(&lean), bits(&model), "case {c} trained");
                if masked {
                    for (d, m) in lean.layers().iter().zip(&mask) {
                        for (w, &mv) in d.weight().iter().zip(m) {
                            assert!(mv != 0.0 || w.to_bits() == 0, "case {c}: a masked weight");
                        }
                    }
                }
            }
        }
    }

    /// The path is chosen once per training call (`Trainer::prepare`), so a model that stops
    /// qualifying between two calls of the same trainer — structured pruning leaves its weights
    /// column-major — takes the general path from the next call on (the lean one would panic on
    /// those weights), and ends with the weights of a trainer that never took the lean path.
    #[test]
    fn the_path_is_chosen_again_for_every_training_call() {
        let data = data(40, 2, 2, 5);
        let spec = MlpSpec {
            inputs: 2,
            hidden: vec![8, 8],
            outputs: 1,
            activation: Activation::Tanh,
            output_activation: Activation::Tanh,
            init: Init::GlorotNormal,
            seed: 3,
        };
        let config = TrainConfig {
            loss: Loss::Mse,
            optimizer: Optimizer::Sgd,
            learning_rate: 0.05,
            batch_size: 10,
            seed: 1,
            ..TrainConfig::default()
        };
        let run = |lean: bool| {
            let mut m = Mlp::new(&spec).unwrap();
            let mut t = Trainer::new(config.clone()).unwrap();
            t.set_lean_path(lean);
            assert!(covers(m.layers(), 10));
            t.train_steps(&mut m, &data, 7).unwrap();
            m.remove_neurons(0, &[0, 2, 3, 5]).unwrap();
            assert!(!covers(m.layers(), 10));
            t.train_steps(&mut m, &data, 7).unwrap();
            m
        };
        assert_eq!(bits(&run(true)), bits(&run(false)));
    }

    /// Layers too large for the direct products, large enough for the sparse ones, or left
    /// column-major by structured pruning train through the general path.
    #[test]
    fn the_lean_path_covers_only_small_row_major_layers() {
        let spec = |hidden: Vec<usize>| MlpSpec {
            inputs: 2,
            hidden,
            outputs: 1,
            activation: Activation::Tanh,
            output_activation: Activation::Tanh,
            init: Init::GlorotNormal,
            seed: 1,
        };
        let small = Mlp::new(&spec(vec![8, 8])).unwrap();
        assert!(covers(small.layers(), 10));
        assert!(covers(small.layers(), 256)); // 256 × 64 = 16 Ki
        assert!(!covers(small.layers(), 257));
        let wide = Mlp::new(&spec(vec![64, 64])).unwrap(); // 4096 weights: may go sparse
        assert!(!covers(wide.layers(), 1));
        let mut pruned = Mlp::new(&spec(vec![8, 8])).unwrap();
        pruned.remove_neurons(0, &[0, 2, 3, 5]).unwrap();
        assert!(
            !covers(pruned.layers(), 10),
            "column-major after selecting columns"
        );
    }
}
