//! GraSP (Wang et al. 2020): θ ⊙ Hg by hand on a linear model, against nested finite
//! differences of an independent `f64` loss on small ReLU/tanh/sigmoid networks, masked weights,
//! which weights go, and the CLI.

use ndarray::{arr1, arr2, Array1, Array2};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::{
    self, Amount, PruneSpec, Scope, Score, ScoreContext, Scores, Structure,
};
use pruning_playground::train::Loss;
use rand::Rng;

fn mlp(widths: &[usize], act: Activation, out: Activation, seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs: widths[0],
        hidden: widths[1..widths.len() - 1].to_vec(),
        outputs: widths[widths.len() - 1],
        activation: act,
        output_activation: out,
        init: Init::Torch,
        seed,
    })
    .unwrap()
}

fn grasp(
    model: &Mlp,
    masks: &[Array2<f32>],
    x: &Array2<f32>,
    y: &[usize],
    loss: Loss,
) -> Vec<Array2<f32>> {
    let ctx = ScoreContext {
        x: x.view(),
        y,
        loss,
    };
    match prune::scores(
        model,
        masks,
        Score::Grasp,
        Structure::Weights,
        0,
        Some(&ctx),
    )
    .unwrap()
    {
        Scores::Weights(s) => s,
        Scores::Neurons(_) => unreachable!("weights asked"),
    }
}

/// One linear layer, MSE, one sample: L = (w·x + b − t)², g = 2r·x (r = w·x + b − t),
/// H = 2·x xᵀ, so Hg = 4r·|x|²·x. With x = (1, 2), w = (0.5, −1), b = 0 and label 1 (target 1
/// for a linear output): r = 0.5 − 2 − 1 = −2.5, |x|² = 5, Hg = (−50, −100) and θ ⊙ Hg =
/// (−25, 100). The reference's score −θ ⊙ Hg = (25, −100) removes its highest, w₀: the lowest
/// of the playground's.
#[test]
fn linear_model_scores_match_the_hand_computation() {
    let mut m = mlp(&[2, 1], Activation::Relu, Activation::Linear, 0);
    m.set_params(&[LayerParams {
        weight: arr2(&[[0.5, -1.0]]),
        bias: arr1(&[0.0]),
    }])
    .unwrap();
    let x = arr2(&[[1.0f32, 2.0]]);
    let s = grasp(&m, &m.masks(), &x, &[1], Loss::Mse);
    assert_eq!(s[0], arr2(&[[-25.0, 100.0]]));
    let ctx = ScoreContext {
        x: x.view(),
        y: &[1],
        loss: Loss::Mse,
    };
    let spec = PruneSpec {
        structure: Structure::Weights,
        score: Score::Grasp,
        scope: Scope::Global,
        amount: Amount::Count(1),
        ..PruneSpec::default()
    };
    let plan = prune::compute_masks(&m, &m.masks(), &spec, Some(&ctx)).unwrap();
    let masks = match plan.selection {
        prune::Selection::Weights(w) => w,
        prune::Selection::Neurons(_) => unreachable!(),
    };
    assert_eq!(masks[0], arr2(&[[0.0, 1.0]]));
}

/// The mean loss of the network `(w, b)` (masked weights already 0) on `(x, y)`, written apart
/// from the crate: exact tanh and logistic, softmax cross-entropy or MSE against the targets
/// the crate uses.
fn loss_f64(
    w: &[Array2<f64>],
    b: &[Array1<f64>],
    acts: (Activation, Activation),
    x: &Array2<f64>,
    y: &[usize],
    loss: Loss,
) -> f64 {
    let f = |act: Activation, v: f64| match act {
        Activation::Relu => v.max(0.0),
        Activation::Tanh => v.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-v).exp()),
        Activation::Linear => v,
    };
    let mut a = x.clone();
    for l in 0..w.len() {
        let act = if l + 1 == w.len() { acts.1 } else { acts.0 };
        a = (a.dot(&w[l].t()) + &b[l]).mapv(|v| f(act, v));
    }
    let (n, k) = a.dim();
    let mut total = 0.0;
    for i in 0..n {
        let row = a.row(i);
        match loss {
            Loss::CrossEntropy => {
                let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
                let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
                total += lse - row[y[i]];
            }
            Loss::Mse => {
                let (lo, hi) = if matches!(acts.1, Activation::Sigmoid | Activation::Relu) {
                    (0.0, 1.0)
                } else {
                    (-1.0, 1.0)
                };
                for j in 0..k {
                    let on = if k == 1 { y[i] == 1 } else { y[i] == j };
                    let d = row[j] - if on { hi } else { lo };
                    total += d * d / k as f64;
                }
            }
        }
    }
    total / n as f64
}

/// Central differences of `loss_f64` in every alive weight (masked ones held at 0).
fn grad_fd(
    w: &[Array2<f64>],
    b: &[Array1<f64>],
    masks: &[Array2<f32>],
    acts: (Activation, Activation),
    x: &Array2<f64>,
    y: &[usize],
    loss: Loss,
) -> Vec<Array2<f64>> {
    let h = 1e-6;
    let mut g: Vec<Array2<f64>> = w.iter().map(|w| Array2::zeros(w.raw_dim())).collect();
    for l in 0..w.len() {
        for idx in ndarray::indices(w[l].raw_dim()) {
            if masks[l][idx] == 0.0 {
                continue;
            }
            let mut p = w.to_vec();
            p[l][idx] += h;
            let up = loss_f64(&p, b, acts, x, y, loss);
            p[l][idx] -= 2.0 * h;
            let down = loss_f64(&p, b, acts, x, y, loss);
            g[l][idx] = (up - down) / (2.0 * h);
        }
    }
    g
}

/// θ ⊙ Hg with Hg the directional derivative of the finite-difference gradient along g.
fn grasp_fd(
    model: &Mlp,
    masks: &[Array2<f32>],
    x: &Array2<f32>,
    y: &[usize],
    loss: Loss,
) -> Vec<Array2<f64>> {
    let acts = (model.spec().activation, model.spec().output_activation);
    let w: Vec<Array2<f64>> = model
        .layers()
        .iter()
        .zip(masks)
        .map(|(d, m)| &d.weight().mapv(f64::from) * &m.mapv(f64::from))
        .collect();
    let b: Vec<Array1<f64>> = model
        .layers()
        .iter()
        .map(|d| d.bias().mapv(f64::from))
        .collect();
    let x = x.mapv(f64::from);
    let g = grad_fd(&w, &b, masks, acts, &x, y, loss);
    let norm = g
        .iter()
        .flat_map(|g| g.iter())
        .map(|v| v * v)
        .sum::<f64>()
        .sqrt();
    let eps = 1e-4 / norm;
    let shift =
        |s: f64| -> Vec<Array2<f64>> { w.iter().zip(&g).map(|(w, g)| w + &(g * s)).collect() };
    let gp = grad_fd(&shift(eps), &b, masks, acts, &x, y, loss);
    let gm = grad_fd(&shift(-eps), &b, masks, acts, &x, y, loss);
    w.iter()
        .zip(gp.iter().zip(&gm))
        .map(|(w, (p, m))| w * &((p - m) / (2.0 * eps)))
        .collect()
}

fn assert_close(got: &[Array2<f32>], want: &[Array2<f64>], what: &str) {
    let scale = want
        .iter()
        .flat_map(|w| w.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(scale > 1e-6, "{what}: the scores are not all 0");
    for (g, w) in got.iter().zip(want) {
        for (a, b) in g.iter().zip(w) {
            assert!(
                (f64::from(*a) - b).abs() <= 1e-4 * scale,
                "{what}: {a} against finite differences {b} (scale {scale})"
            );
        }
    }
}

fn batch(seed: u64, rows: usize, inputs: usize, classes: usize) -> (Array2<f32>, Vec<usize>) {
    let mut rng = pruning_playground::rng::seeded(seed);
    let x = Array2::from_shape_fn((rows, inputs), |_| rng.random_range(-1.5f32..1.5));
    let y = (0..rows).map(|_| rng.random_range(0..classes)).collect();
    (x, y)
}

#[test]
fn scores_match_nested_finite_differences() {
    let cases = [
        (
            &[3usize, 4, 3][..],
            Activation::Relu,
            Activation::Linear,
            Loss::CrossEntropy,
            3,
        ),
        (
            &[2, 3, 3, 2][..],
            Activation::Tanh,
            Activation::Linear,
            Loss::CrossEntropy,
            2,
        ),
        (
            &[2, 3, 1][..],
            Activation::Sigmoid,
            Activation::Tanh,
            Loss::Mse,
            2,
        ),
        (
            &[3, 4, 3][..],
            Activation::Tanh,
            Activation::Sigmoid,
            Loss::Mse,
            3,
        ),
    ];
    for (seed, (widths, act, out, loss, classes)) in cases.into_iter().enumerate() {
        let m = mlp(widths, act, out, seed as u64);
        let (x, y) = batch(seed as u64 + 10, 6, widths[0], classes);
        let got = grasp(&m, &m.masks(), &x, &y, loss);
        let want = grasp_fd(&m, &m.masks(), &x, &y, loss);
        assert_close(&got, &want, &format!("{widths:?} {act:?} {loss:?}"));
    }
}

/// Under a mask the network is the masked one: masked weights score 0, and the others score as
/// finite differences of the masked network (whose masked weights stay 0) say.
#[test]
fn masked_weights_score_zero_and_leave_the_network_masked() {
    let m = mlp(&[3, 4, 3], Activation::Tanh, Activation::Linear, 7);
    let mut masks = m.masks();
    masks[0][(0, 1)] = 0.0;
    masks[0][(2, 2)] = 0.0;
    masks[1][(1, 3)] = 0.0;
    let (x, y) = batch(3, 5, 3, 3);
    let got = grasp(&m, &masks, &x, &y, Loss::CrossEntropy);
    assert_eq!(got[0][(0, 1)], 0.0);
    assert_eq!(got[0][(2, 2)], 0.0);
    assert_eq!(got[1][(1, 3)], 0.0);
    assert_close(
        &got,
        &grasp_fd(&m, &masks, &x, &y, Loss::CrossEntropy),
        "masked",
    );
    // Neurons: each hidden neuron's incoming weights' scores summed.
    let ctx = ScoreContext {
        x: x.view(),
        y: &y,
        loss: Loss::CrossEntropy,
    };
    let n = prune::scores(&m, &masks, Score::Grasp, Structure::Neurons, 0, Some(&ctx)).unwrap();
    let sums: Array1<f32> = got[0].rows().into_iter().map(|r| r.sum()).collect();
    assert_eq!(n, Scores::Neurons(vec![sums]));
}

#[test]
fn grasp_without_a_batch_is_refused_by_name() {
    let m = mlp(&[2, 3, 2], Activation::Relu, Activation::Linear, 0);
    let err = prune::scores(&m, &m.masks(), Score::Grasp, Structure::Weights, 0, None).unwrap_err();
    assert!(err.to_string().contains("grasp needs a batch"), "{err}");
    assert_eq!(Score::parse("grasp").unwrap(), Score::Grasp);
    assert!(Score::Grasp.needs_data() && Score::Grasp.prunes_untrained());
}

#[test]
fn the_cli_prunes_at_initialization_with_grasp() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args([
            "train",
            "--epochs",
            "1",
            "--prune-at-init",
            "0.5",
            "--prune-score",
            "grasp",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("pruned 48 of 96 weights before training (grasp, global, on the first mini-batch of 10)"),
        "{text}"
    );
}
