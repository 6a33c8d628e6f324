//! One backprop: a training step's forward and backward pass over row-major slice buffers, with
//! each layer's matrix products computed by a strategy chosen once per training call.
//!
//! A layer's three products — `z = x · Wᵀ + b`, `gW = δᵀ · x`, `δ_prev = δ · W` — go through one
//! of four back ends ([`Product`]):
//!
//! - **direct** loops (`kernels::small_*`) for products of at most [`SMALL`] multiply-adds, where
//!   a library call's packing would cost more than the arithmetic (the playground's 2-8-8-1
//!   network is direct in every layer);
//! - the **tiled** kernel (`crate::model::tiled`: SIMD128 in WebAssembly, portable Rust
//!   natively, the same sums) for larger products, and for the products that read weights left
//!   column-major by structured pruning (the direct loops read row-major weights; the weight
//!   gradient does not read the weights, so its back end stays the one the shape selects);
//! - the **sparse** row lists (`kernels::sparse_*`) for large layers with few alive weights;
//! - the **GEMM** library (matrixmultiply) only when forced (the tests and the bench compare
//!   back ends), or for weights contiguous in neither memory order: natively its kernels fuse
//!   multiply-adds, so it would give the CLI other numbers than the browser.
//!
//! The choice depends only on the layer's shape, layout and mask and on the batch size, none of
//! which changes within a training call, so [`Backprop::prepare`] makes it once per call for the
//! full batch and for the short last batch of an epoch (a smaller batch can make a product
//! small enough for the direct loops). Every back end but the GEMM sums each output as the
//! ordered plain sum its module documents, on every platform; which ones give the same bits
//! where is tested below and in `tests/web.rs` (in WebAssembly the tiled kernel and the GEMM
//! always agree).

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

use super::kernels::{self, Alive, SparseScratch, SMALL, SPARSE_BELOW, SPARSE_MIN_WEIGHTS};
use super::{Grads, Loss};
use crate::model::tiled::{self, Right};
use crate::model::{Activation, Dense, Mlp};

/// What a pass differentiates: a training loss, or (internal, for the SynFlow score) the plain
/// sum of the network's outputs, R = Σ outputs, whose gradient at the output is 1 everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Objective {
    /// The batch's mean loss against its labels.
    Loss(Loss),
    /// Σ over the batch's rows and outputs of the output layer's activations; labels unused.
    OutputSum,
}

/// A back end for a layer's matrix products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    /// Direct loops keeping a tile of sums in registers: small products.
    Direct,
    /// The register-tiled kernel (SIMD128 in WebAssembly, portable Rust elsewhere): large
    /// products, and the weight-reading products of column-major weights.
    Tiled,
    /// Products over the alive weights only: large layers with few alive weights.
    Sparse,
    /// The GEMM library: only when forced, or for weights contiguous in neither memory order.
    Gemm,
}

/// How one layer's products are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Strategy {
    /// The products that read the weights: the forward `x · Wᵀ` and the input gradient `δ · W`.
    pub(crate) with_weights: Product,
    /// The weight gradient `δᵀ · x`.
    pub(crate) weight_grad: Product,
}

impl Strategy {
    fn both(p: Product) -> Self {
        Strategy {
            with_weights: p,
            weight_grad: p,
        }
    }
}

/// True if the layer trains with the sparse products by default: at least
/// [`SPARSE_MIN_WEIGHTS`] weights, row-major, fewer than [`SPARSE_BELOW`] of them alive.
fn sparse_by_default(d: &Dense) -> bool {
    let n = d.weight.len();
    n >= SPARSE_MIN_WEIGHTS
        && d.weight.is_standard_layout()
        && d.mask.as_slice().is_some_and(|mask| {
            // A count (an integer reduction, which vectorizes) rather than the row lists.
            let alive = mask.iter().filter(|&&m| m != 0.0).count();
            (alive as f64) < SPARSE_BELOW * n as f64
        })
}

/// The strategy for layer `d` at batch size `b`: `sparse` if [`sparse_by_default`] said so, else
/// direct loops for products of at most [`SMALL`] multiply-adds and the tiled kernel for larger
/// ones. The direct loops read row-major weights only, so for weights left column-major by
/// structured pruning the products that read them are tiled (which reads either order); the
/// GEMM only for weights contiguous in neither order, or when forced. `force` replaces the
/// choice for every layer that can take it (the sparse products need row-major weights and
/// mask; see [`super::Trainer::force_products`]).
pub(crate) fn choose(d: &Dense, b: usize, sparse: bool, force: Option<Product>) -> Strategy {
    let row_major = d.weight.is_standard_layout();
    let tiled = Right::weights(&d.weight).is_some();
    let readable = |p: Product| match p {
        _ if row_major => p,
        Product::Direct | Product::Tiled if tiled => Product::Tiled,
        _ => Product::Gemm,
    };
    match force {
        Some(Product::Sparse) if row_major && d.mask.is_standard_layout() => {
            Strategy::both(Product::Sparse)
        }
        Some(Product::Sparse) | None => {
            if sparse {
                return Strategy::both(Product::Sparse);
            }
            let p = if b * d.weight.len() <= SMALL {
                Product::Direct
            } else {
                Product::Tiled
            };
            Strategy {
                with_weights: readable(p),
                weight_grad: p,
            }
        }
        Some(p) => Strategy {
            with_weights: readable(p),
            weight_grad: p,
        },
    }
}

/// Every product direct.
const DIRECT: Strategy = Strategy {
    with_weights: Product::Direct,
    weight_grad: Product::Direct,
};

/// Every layer's strategy for one batch size.
#[derive(Debug, Clone, Default)]
struct Plan {
    batch: usize,
    layers: Vec<Strategy>,
}

/// The buffers of a step (sized for one batch size and one list of widths, reused) and the
/// strategies of the current training call.
#[derive(Debug, Clone, Default)]
pub(crate) struct Backprop {
    /// Rows the buffers hold.
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
    /// Scratch for a transposed weight matrix (the direct forward product).
    wt: Vec<f32>,
    /// Each sparse layer's alive weights (empty for the others).
    alive: Vec<Alive>,
    /// Scratch of the sparse products.
    scratch: SparseScratch,
    /// Scratch of the tiled products.
    panels: tiled::Panels,
    /// The strategies for the full batch and for the epoch's short last batch.
    plans: [Plan; 2],
    /// Which layers go sparse unless forced otherwise (by their masks).
    sparse: Vec<bool>,
    /// The back end forced on every layer that can take it, if any.
    force: Option<Product>,
}

impl Backprop {
    /// Sizes the buffers for `batch` rows of these layers and chooses every layer's strategy for
    /// batches of `batch` and `last` rows (`force` as [`choose`] says). Called once per training
    /// call: a step changes weights, never shapes, layouts or masks.
    pub(crate) fn prepare(
        &mut self,
        layers: &[Dense],
        (batch, last): (usize, usize),
        force: Option<Product>,
    ) {
        self.fit(batch, layers);
        self.force = force;
        self.sparse.clear();
        self.sparse.extend(layers.iter().map(sparse_by_default));
        self.choose_plan(0, layers, batch);
        self.choose_plan(1, layers, last);
        self.alive.resize_with(layers.len(), Default::default);
        for (l, d) in layers.iter().enumerate() {
            let uses = self.plans.iter().any(|p| {
                p.layers[l].with_weights == Product::Sparse
                    || p.layers[l].weight_grad == Product::Sparse
            });
            if uses {
                let mask = d.mask.as_slice().expect("sparse layers are row-major");
                self.alive[l].build(mask, d.fan_in());
            }
        }
    }

    /// Fills `plans[i]` with every layer's strategy for batches of `b` rows.
    fn choose_plan(&mut self, i: usize, layers: &[Dense], b: usize) {
        let plan = &mut self.plans[i];
        plan.batch = b;
        plan.layers.clear();
        let chosen = layers.iter().zip(&self.sparse);
        plan.layers
            .extend(chosen.map(|(d, &sparse)| choose(d, b, sparse, self.force)));
    }

    /// The strategies chosen for batches of `b` rows, if [`Backprop::prepare`] chose for them.
    #[cfg(test)]
    pub(crate) fn strategies(&self, b: usize) -> Option<&[Strategy]> {
        self.plans
            .iter()
            .find(|p| p.batch == b)
            .map(|p| &p.layers[..])
    }

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

    /// Gathers the rows `rows` of `x` (row-major with the model's input width) and their labels
    /// from `y` into the batch buffers.
    pub(crate) fn gather_slice(&mut self, x: &[f32], y: &[usize], rows: &[usize]) {
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
    }

    /// The batch's inputs as gathered, `[batch, widths[0]]` row-major (the rows past the
    /// current batch's are stale), for augmentations that change them before [`Backprop::run`].
    pub(crate) fn inputs_mut(&mut self) -> &mut [f32] {
        &mut self.x
    }

    /// [`Backprop::gather_slice`] for inputs in any layout.
    pub(crate) fn gather_view(&mut self, x: ArrayView2<f32>, y: &[usize], rows: &[usize]) {
        let n0 = self.widths[0];
        for (dst, &i) in self.x.chunks_exact_mut(n0).zip(rows) {
            for (d, &v) in dst.iter_mut().zip(x.row(i)) {
                *d = v;
            }
        }
        self.y.clear();
        self.y.extend(rows.iter().map(|&i| y[i]));
    }

    /// The forward and backward pass of the gathered batch (`b` rows). Leaves every layer's
    /// gradients in `grads` (masked entries not yet cleared: `regularize` reads them, the
    /// optimizer drops them) and returns the batch loss (the objective's value).
    pub(crate) fn run(
        &mut self,
        model: &Mlp,
        b: usize,
        objective: Objective,
        grads: &mut Grads,
    ) -> f64 {
        let layers = &model.layers;
        if !self.plans.iter().any(|p| p.batch == b) {
            // A batch size `prepare` did not foresee: chosen as `prepare` would have (whether a
            // layer goes sparse does not depend on the batch size, so its alive lists are built).
            self.choose_plan(1, layers, b);
        }
        let plan = self
            .plans
            .iter()
            .position(|p| p.batch == b)
            .expect("chosen above");
        if self.plans[plan].layers.iter().all(|s| *s == DIRECT) {
            self.pass::<true>(model, plan, b, objective, grads)
        } else {
            self.pass::<false>(model, plan, b, objective, grads)
        }
    }

    /// [`Backprop::run`] with the strategies of `plans[plan]`. Compiled twice: with `ALL_DIRECT`,
    /// for plans whose every layer is direct (small networks), every product calls the direct
    /// loops without going through the choice of a back end, whose dispatch would be a sizeable
    /// share of such a step.
    fn pass<const ALL_DIRECT: bool>(
        &mut self,
        model: &Mlp,
        plan: usize,
        b: usize,
        objective: Objective,
        grads: &mut Grads,
    ) -> f64 {
        let layers = &model.layers;
        let Backprop {
            x,
            y,
            acts,
            deltas,
            wt,
            alive,
            scratch,
            panels,
            plans,
            ..
        } = self;
        let plan = &plans[plan].layers;
        let strategy = |l: usize| if ALL_DIRECT { DIRECT } else { plan[l] };
        let mut ws = Scratch {
            wt,
            scratch,
            panels,
        };

        // Forward: a_l = act(a_{l-1} · W_lᵀ + b_l).
        for (l, d) in layers.iter().enumerate() {
            let dims = (b, d.fan_in(), d.fan_out());
            let (done, rest) = acts.split_at_mut(l);
            let input = if l == 0 { &x[..] } else { &done[l - 1][..] };
            let z = &mut rest[0][..b * dims.2];
            let bias = d.bias.as_slice().expect("a layer's bias is contiguous");
            let input = &input[..b * dims.1];
            forward(
                strategy(l).with_weights,
                (input, d, bias),
                z,
                dims,
                &alive[l],
                &mut ws,
            );
            activate(z, d.activation);
        }

        // ∂L/∂a at the output (∂R/∂a = 1 for the output sum), then through the output
        // activation.
        let depth = layers.len();
        let out = &layers[depth - 1];
        let k = out.fan_out();
        let a = &acts[depth - 1][..b * k];
        let g = &mut deltas[depth - 1][..b * k];
        let value = match objective {
            Objective::Loss(loss) => loss.rows(a, k, &y[..b], out.activation, Some(&mut *g)),
            Objective::OutputSum => {
                g.fill(1.0);
                a.iter().map(|&v| f64::from(v)).sum()
            }
        };
        out.activation.backprop_slice(g, a);

        // Backward: gW_l = δ_lᵀ · a_{l-1}; gb_l = Σ δ_l; δ_{l-1} = (δ_l · W_l) ⊙ act'(a_{l-1}).
        for (l, d) in layers.iter().enumerate().rev() {
            let dims = (b, d.fan_in(), d.fan_out());
            let input = if l == 0 { &x[..] } else { &acts[l - 1][..] };
            let input = &input[..b * dims.1];
            let (lower, upper) = deltas.split_at_mut(l);
            let delta = &upper[0][..b * dims.2];
            let strategy = strategy(l);
            weight_grad(
                strategy.weight_grad,
                (delta, input),
                &mut grads.w[l],
                dims,
                &alive[l],
                &mut ws,
            );
            kernels::column_sums(delta, &mut grads.b[l]);
            if l > 0 {
                let d_prev = &mut lower[l - 1][..b * dims.1];
                input_grad(
                    strategy.with_weights,
                    (delta, d),
                    d_prev,
                    dims,
                    &alive[l],
                    &mut ws,
                );
                layers[l - 1].activation.backprop_slice(d_prev, input);
            }
        }
        value
    }
}

/// The scratch buffers of the back ends.
struct Scratch<'a> {
    wt: &'a mut Vec<f32>,
    scratch: &'a mut SparseScratch,
    panels: &'a mut tiled::Panels,
}

/// A layer's weights as a row-major slice (the strategies that read it are chosen only for such
/// layers).
fn row_major(d: &Dense) -> &[f32] {
    d.weight
        .as_slice()
        .expect("the strategy reads row-major weights")
}

/// A row-major `[rows, cols]` view of a slice.
fn view(s: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), s).expect("a buffer of the product's shape")
}

/// A row-major `[rows, cols]` mutable view of a slice.
fn view_mut(s: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), s).expect("a buffer of the product's shape")
}

/// z = x · Wᵀ + bias: x `[b, in]`, z `[b, out]` (each z its sum, then plus its bias).
#[inline(always)]
fn forward(
    p: Product,
    (x, d, bias): (&[f32], &Dense, &[f32]),
    z: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
    alive: &Alive,
    ws: &mut Scratch,
) {
    match p {
        Product::Direct => {
            kernels::small_forward((x, row_major(d), bias), z, (b, n_in, n_out), ws.wt)
        }
        Product::Tiled => tiled::matmul(
            (x, (n_in, 1)),
            Right::weights_transposed(&d.weight).expect("tiled layers are contiguous"),
            (z, n_out),
            Some(bias),
            (b, n_out, n_in),
            ws.panels,
        ),
        Product::Sparse => {
            let dims = (b, n_in, n_out);
            kernels::sparse_forward(x, row_major(d), alive, dims, z, ws.scratch);
            kernels::add_bias(z, bias);
        }
        Product::Gemm => {
            let mut zv = view_mut(z, b, n_out);
            general_mat_mul(1.0, &view(x, b, n_in), &d.weight.t(), 0.0, &mut zv);
            kernels::add_bias(z, bias);
        }
    }
}

/// gW = δᵀ · x: δ `[b, out]`, x `[b, in]`, gW `[out, in]` row-major.
#[inline(always)]
fn weight_grad(
    p: Product,
    (delta, x): (&[f32], &[f32]),
    gw: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
    alive: &Alive,
    ws: &mut Scratch,
) {
    match p {
        Product::Direct => kernels::small_weight_grad(delta, x, gw, (b, n_in, n_out)),
        // δᵀ is read column by column from the row-major δ.
        Product::Tiled => tiled::matmul(
            (delta, (1, n_out)),
            Right::Rows(x),
            (gw, n_in),
            None,
            (n_out, n_in, b),
            ws.panels,
        ),
        Product::Sparse => {
            kernels::sparse_weight_grad(delta, x, alive, (b, n_in, n_out), gw, ws.scratch);
        }
        Product::Gemm => general_mat_mul(
            1.0,
            &view(delta, b, n_out).t(),
            &view(x, b, n_in),
            0.0,
            &mut view_mut(gw, n_out, n_in),
        ),
    }
}

/// δ_prev = δ · W: δ `[b, out]`, δ_prev `[b, in]`.
#[inline(always)]
fn input_grad(
    p: Product,
    (delta, d): (&[f32], &Dense),
    dx: &mut [f32],
    (b, n_in, n_out): (usize, usize, usize),
    alive: &Alive,
    ws: &mut Scratch,
) {
    match p {
        Product::Direct => kernels::small_input_grad(delta, row_major(d), dx, (b, n_in, n_out)),
        Product::Tiled => tiled::matmul(
            (delta, (n_out, 1)),
            Right::weights(&d.weight).expect("tiled layers are contiguous"),
            (dx, n_in),
            None,
            (b, n_in, n_out),
            ws.panels,
        ),
        Product::Sparse => {
            let dims = (b, n_in, n_out);
            kernels::sparse_input_grad(delta, row_major(d), alive, dims, dx, ws.scratch);
        }
        Product::Gemm => general_mat_mul(
            1.0,
            &view(delta, b, n_out),
            &d.weight.view(),
            0.0,
            &mut view_mut(dx, b, n_in),
        ),
    }
}

/// z ← act(z) over a whole block in one loop per activation, which vectorizes even when rows
/// are a few values long (as in the playground's 8-neuron layers).
fn activate(z: &mut [f32], act: Activation) {
    fn each(z: &mut [f32], f: impl Fn(f32) -> f32) {
        for v in z {
            *v = f(*v);
        }
    }
    match act {
        Activation::Relu => each(z, |x| Activation::Relu.value(x)),
        Activation::Tanh => each(z, |x| Activation::Tanh.value(x)),
        Activation::Sigmoid => each(z, |x| Activation::Sigmoid.value(x)),
        Activation::Linear => {}
    }
}
#[cfg(test)]
mod tests {
    use ndarray::Array2;
    use rand::Rng;

    use super::{Product, Strategy};
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
            image_side: None,
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

    /// The strategies the trainer chose for each layer at its batch size.
    fn chosen(t: &Trainer, batch: usize) -> Vec<Strategy> {
        t.bp.strategies(batch)
            .expect("a plan for the batch")
            .to_vec()
    }

    fn both(p: Product) -> Strategy {
        Strategy::both(p)
    }

    /// Small networks take the direct products in every layer, and the tiled and sparse back
    /// ends, forced on them, train to exactly the same weights (bit for bit) and metrics: all
    /// three sum each output in the same order (every reduction here is shorter than the tiled
    /// kernel's block; the sparse one skips products that are 0). Over every activation, both
    /// losses (one and several MSE outputs), every optimizer, masks, L1/L2 penalties, widths that
    /// are not multiples of the kernels' 4 and 8 lanes, no hidden layer at all, and batch sizes
    /// that do not divide the training set (a short last batch every epoch) — several epochs
    /// each, with masked weights exactly 0 at the end.
    #[test]
    fn small_networks_go_direct_and_every_back_end_trains_them_alike() {
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
                let config = TrainConfig {
                    loss,
                    optimizer,
                    learning_rate: 0.05,
                    batch_size: batch,
                    l1,
                    l2,
                    seed: c as u64,
                    rewind_step: None,
                    shift: 0,
                };
                let run = |force: Option<Product>| {
                    let mut m = model.clone();
                    let mut t = Trainer::new(config.clone()).unwrap();
                    t.force_products(force);
                    let mut metrics = Vec::new();
                    for _ in 0..3 {
                        metrics.push(t.train_epoch(&mut m, &data).unwrap());
                    }
                    metrics.extend(t.train_steps(&mut m, &data, 11).unwrap());
                    (m, metrics, chosen(&t, batch))
                };
                let (direct, direct_metrics, strategies) = run(None);
                let layers = model.layers().len();
                assert_eq!(strategies, vec![both(Product::Direct); layers], "case {c}");
                for p in [Product::Tiled, Product::Sparse] {
                    let (other, other_metrics, strategies) = run(Some(p));
                    assert_eq!(strategies, vec![both(p); layers], "case {c}");
                    assert_eq!(
                        bits(&other),
                        bits(&direct),
                        "case {c}, {optimizer:?}, {p:?}"
                    );
                    assert_eq!(
                        other_metrics, direct_metrics,
                        "case {c}, {optimizer:?}, {p:?}"
                    );
                }
                assert_ne!(bits(&direct), bits(&model), "case {c} trained");
                if masked {
                    for (d, m) in direct.layers().iter().zip(&mask) {
                        for (w, &mv) in d.weight().iter().zip(m) {
                            assert!(mv != 0.0 || w.to_bits() == 0, "case {c}: a masked weight");
                        }
                    }
                }
            }
        }
    }

    /// The strategies are chosen once per training call (`Trainer::prepare`), so a model that
    /// changes between two calls of the same trainer — structured pruning leaves its weights
    /// column-major — has its layers' strategies chosen again: the products that read those
    /// weights go through the tiled kernel from the next call on (the direct loops read row-major
    /// weights), the weight gradient still through the direct loops.
    #[test]
    fn strategies_are_chosen_again_for_every_training_call() {
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
        let mut m = Mlp::new(&spec).unwrap();
        let mut t = Trainer::new(config).unwrap();
        t.train_steps(&mut m, &data, 7).unwrap();
        assert_eq!(chosen(&t, 10), vec![both(Product::Direct); 3]);
        m.remove_neurons(0, &[0, 2, 3, 5]).unwrap();
        let before = bits(&m);
        t.train_steps(&mut m, &data, 7).unwrap();
        assert_ne!(bits(&m), before, "trained");
        let column_major = Strategy {
            with_weights: Product::Tiled,
            weight_grad: Product::Direct,
        };
        assert_eq!(
            chosen(&t, 10),
            [both(Product::Direct), column_major, both(Product::Direct)]
        );
    }

    /// Each layer's strategy follows its products' size at the batch size (direct loops up to
    /// 16 Ki multiply-adds, then the tiled kernel), its
    /// mask (large layers with under 15% alive go sparse, at any batch size) and the short last
    /// batch of an epoch (chosen for its own size).
    #[test]
    fn strategies_follow_the_products_size_the_mask_and_the_batch() {
        let spec = |hidden: Vec<usize>| MlpSpec {
            inputs: 2,
            hidden,
            outputs: 1,
            activation: Activation::Tanh,
            output_activation: Activation::Tanh,
            init: Init::GlorotNormal,
            seed: 1,
        };
        let large = both(Product::Tiled);
        let direct = both(Product::Direct);
        let plan = |m: &Mlp, batch: usize, last: usize| {
            let mut bp = super::Backprop::default();
            bp.prepare(m.layers(), (batch, last), None);
            (
                bp.strategies(batch).unwrap().to_vec(),
                bp.strategies(last).unwrap().to_vec(),
            )
        };
        let small = Mlp::new(&spec(vec![8, 8])).unwrap();
        // 256 × 64 = 16 Ki multiply-adds in the middle layer.
        assert_eq!(plan(&small, 256, 10).0, vec![direct; 3]);
        assert_eq!(
            plan(&small, 257, 10),
            (vec![direct, large, direct], vec![direct; 3])
        );
        let mut wide = Mlp::new(&spec(vec![64, 64])).unwrap();
        assert_eq!(plan(&wide, 1, 1).0, vec![direct; 3]);
        let masks: Vec<_> = wide
            .layers()
            .iter()
            .map(|d| {
                Array2::from_shape_fn(d.weight().dim(), |(j, k)| {
                    f32::from(u8::from((j + k) % 10 == 0))
                })
            })
            .collect();
        wide.set_masks(&masks).unwrap();
        let sparse = both(Product::Sparse);
        assert_eq!(
            plan(&wide, 200, 3),
            (vec![large, sparse, direct], vec![direct, sparse, direct])
        );
    }
}
