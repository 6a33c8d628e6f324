//! SynFlow (Tanaka et al. 2020): the score by hand and by finite differences, masked weights,
//! the iterative schedule's counts, and layer collapse at high sparsity.

use ndarray::{arr1, arr2, Array1, Array2};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::{
    self, exponential_keep_counts, Amount, PruneSpec, Scope, Score, Scores, Structure,
};
use rand::Rng;

fn mlp(widths: &[usize], act: Activation, out: Activation, init: Init, seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs: widths[0],
        hidden: widths[1..widths.len() - 1].to_vec(),
        outputs: widths[widths.len() - 1],
        activation: act,
        output_activation: out,
        init,
        seed,
    })
    .unwrap()
}

fn weight_scores(model: &Mlp, masks: &[Array2<f32>]) -> Vec<Array2<f32>> {
    match prune::scores(model, masks, Score::Synflow, Structure::Weights, 0, None).unwrap() {
        Scores::Weights(s) => s,
        Scores::Neurons(_) => unreachable!("weights asked"),
    }
}

/// A 2-2-1 ReLU network with mixed signs: W1 = [[1, −2], [0.5, 3]], b1 = [−1, 0.5],
/// W2 = [[2, −1]], b2 = [−0.3].
fn tiny() -> Mlp {
    let mut m = mlp(
        &[2, 2, 1],
        Activation::Relu,
        Activation::Linear,
        Init::Torch,
        0,
    );
    m.set_params(&[
        LayerParams {
            weight: arr2(&[[1.0, -2.0], [0.5, 3.0]]),
            bias: arr1(&[-1.0, 0.5]),
        },
        LayerParams {
            weight: arr2(&[[2.0, -1.0]]),
            bias: arr1(&[-0.3]),
        },
    ])
    .unwrap();
    m
}

#[test]
fn tiny_network_scores_match_the_hand_computation() {
    // |θ| on x = (1, 1): z1 = (1 + 2 + 1, 0.5 + 3 + 0.5) = (4, 4), both > 0 so ReLU passes them;
    // R = 2·4 + 1·4 + 0.3. ∂R/∂W2 = a1 = (4, 4): scores (2·4, 1·4). ∂R/∂W1[i, j] = |W2[i]|·1:
    // scores |W1[i, j]|·|W2[i]| = [[2, 4], [0.5, 3]].
    let m = tiny();
    let s = weight_scores(&m, &m.masks());
    assert_eq!(s[0], arr2(&[[2.0, 4.0], [0.5, 3.0]]));
    assert_eq!(s[1], arr2(&[[8.0, 4.0]]));
    // Neurons: the sum of each hidden neuron's incoming weights' scores.
    let n = prune::scores(&m, &m.masks(), Score::Synflow, Structure::Neurons, 0, None).unwrap();
    assert_eq!(n, Scores::Neurons(vec![arr1(&[6.0, 3.5])]));
}

#[test]
fn masked_weights_score_zero_and_cut_the_flow_through_them() {
    // Masking W1[0, 1] (−2): z1 = (1 + 0 + 1, 4) = (2, 4); W2's scores become (2·2, 1·4).
    let m = tiny();
    let mut masks = m.masks();
    masks[0][(0, 1)] = 0.0;
    let s = weight_scores(&m, &masks);
    assert_eq!(s[0], arr2(&[[2.0, 0.0], [0.5, 3.0]]));
    assert_eq!(s[1], arr2(&[[4.0, 4.0]]));
}

/// R of the network with absolute parameters under `masks` on a row of ones, in f64.
fn flow(params: &[LayerParams], masks: &[Array2<f32>], act: Activation, out: Activation) -> f64 {
    let f = |a: Activation, z: f64| match a {
        Activation::Relu => z.max(0.0),
        Activation::Tanh => z.tanh(),
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::Linear => z,
    };
    let mut x: Vec<f64> = vec![1.0; params[0].weight.ncols()];
    for (l, (p, m)) in params.iter().zip(masks).enumerate() {
        let a = if l + 1 == params.len() { out } else { act };
        x = (0..p.weight.nrows())
            .map(|i| {
                let z: f64 = (0..p.weight.ncols())
                    .map(|j| f64::from(p.weight[(i, j)].abs() * m[(i, j)]) * x[j])
                    .sum::<f64>()
                    + f64::from(p.bias[i].abs());
                f(a, z)
            })
            .collect();
    }
    x.iter().sum()
}

#[test]
fn scores_agree_with_finite_differences_of_the_flow() {
    for (seed, act, out) in [
        (1, Activation::Tanh, Activation::Sigmoid),
        (2, Activation::Relu, Activation::Linear),
        (3, Activation::Sigmoid, Activation::Tanh),
    ] {
        let m = mlp(&[3, 5, 4, 2], act, out, Init::GlorotUniform, seed);
        let mut rng = pruning_playground::rng::derived(seed, "synflow-test-masks");
        let masks: Vec<Array2<f32>> = m
            .masks()
            .iter()
            .map(|mk| mk.mapv(|_| if rng.random::<f32>() < 0.3 { 0.0 } else { 1.0 }))
            .collect();
        let s = weight_scores(&m, &masks);
        let params = m.params();
        let h = 1e-3;
        let mut compared = 0;
        for l in 0..params.len() {
            for ((i, j), &w) in params[l].weight.indexed_iter() {
                if masks[l][(i, j)] == 0.0 {
                    assert_eq!(s[l][(i, j)], 0.0, "masked weight {l} {i} {j} scores 0");
                    continue;
                }
                // d R / d|w| by central differences in f64, on |w| moved by ±h.
                let at = |d: f64| {
                    let mut p = params.clone();
                    p[l].weight[(i, j)] = (f64::from(w.abs()) + d) as f32;
                    flow(&p, &masks, act, out)
                };
                let grad = (at(h) - at(-h)) / (2.0 * h);
                let want = (f64::from(w.abs()) * grad).abs();
                let got = f64::from(s[l][(i, j)]);
                assert!(
                    (got - want).abs() <= 1e-3 * want.abs() + 1e-4,
                    "seed {seed} layer {l} ({i}, {j}): engine {got}, finite differences {want}"
                );
                compared += 1;
            }
        }
        assert!(compared > 20, "{compared} weights compared");
    }
}

fn python_round(x: f64) -> usize {
    x.round_ties_even() as usize
}

#[test]
fn the_schedule_ends_at_the_one_shot_count_and_never_grows() {
    for total in [1usize, 3, 7, 96, 97, 1000, 2650] {
        for f in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0, 1.0 / 6.0] {
            for rounds in [1usize, 2, 7, 100] {
                let keep = exponential_keep_counts(total, f, rounds).unwrap();
                assert_eq!(keep.len(), rounds);
                assert_eq!(
                    *keep.last().unwrap(),
                    total - python_round(f * total as f64),
                    "{total} weights, fraction {f}, {rounds} rounds"
                );
                let mut before = total;
                for &k in &keep {
                    assert!(k <= before, "{keep:?}");
                    before = k;
                }
            }
        }
    }
    // Round r keeps round(N · d^(r/R)): 1000 weights to 10 % in 2 rounds keep 316, then 100.
    assert_eq!(
        exponential_keep_counts(1000, 0.9, 2).unwrap(),
        vec![316, 100]
    );
    // 2.5 weights pruned rounds to 2 (half to even): 3 stay of 5 at fraction 0.5.
    assert_eq!(exponential_keep_counts(5, 0.5, 1).unwrap(), vec![3]);
    assert!(exponential_keep_counts(10, 0.5, 0).is_err());
    assert!(exponential_keep_counts(10, 1.5, 3).is_err());
}

fn global(score: Score, amount: Amount) -> PruneSpec {
    PruneSpec {
        structure: Structure::Weights,
        score,
        scope: Scope::Global,
        amount,
        output_rate: 1.0,
        layer_rates: Vec::new(),
        seed: 0,
        pattern: None,
    }
}

/// Iterative SynFlow to prune `fraction` of the weights in `rounds` rounds.
fn synflow_iterative(model: &mut Mlp, fraction: f64, rounds: usize) {
    for k in exponential_keep_counts(model.n_alive(), fraction, rounds).unwrap() {
        let n = model.n_alive() - k;
        prune::prune(model, &global(Score::Synflow, Amount::Count(n)), None).unwrap();
    }
}

/// Whether some output is reached from some input through alive weights.
fn connected(model: &Mlp) -> bool {
    let mut reach: Array1<bool> = Array1::from_elem(model.layers()[0].fan_in(), true);
    for d in model.layers() {
        let m = d.mask();
        reach = Array1::from_shape_fn(d.fan_out(), |i| {
            (0..d.fan_in()).any(|j| reach[j] && m[(i, j)] != 0.0)
        });
    }
    reach.iter().any(|&r| r)
}

#[test]
fn iterative_synflow_prunes_the_one_shot_count() {
    let mut m = mlp(
        &[4, 16, 16, 3],
        Activation::Relu,
        Activation::Linear,
        Init::KaimingNormal,
        7,
    );
    let total = m.n_alive();
    synflow_iterative(&mut m, 0.9, 100);
    assert_eq!(m.n_alive(), total - python_round(0.9 * total as f64));
    assert!(connected(&m));
}

#[test]
fn iterative_synflow_keeps_a_deep_narrow_net_connected_where_magnitude_cuts_it() {
    // 20-40-40-40-40-40-2 ReLU (7280 weights) pruned to 1 % (73 weights), globally. Magnitude
    // (one shot) and SynFlow in one round cut some layer entirely on every seed; SynFlow over
    // 100 rounds always leaves a path from the inputs to the outputs (Tanaka et al.'s claim).
    let widths = [20, 40, 40, 40, 40, 40, 2];
    for seed in 0..5 {
        let base = mlp(
            &widths,
            Activation::Relu,
            Activation::Linear,
            Init::KaimingNormal,
            seed,
        );
        let mut magnitude = base.clone();
        prune::prune(
            &mut magnitude,
            &global(Score::Magnitude, Amount::Fraction(0.99)),
            None,
        )
        .unwrap();
        let mut one_shot = base.clone();
        synflow_iterative(&mut one_shot, 0.99, 1);
        let mut iterative = base.clone();
        synflow_iterative(&mut iterative, 0.99, 100);
        for m in [&magnitude, &one_shot, &iterative] {
            assert_eq!(m.n_alive(), 73);
        }
        assert!(
            !connected(&magnitude),
            "seed {seed}: magnitude keeps a path"
        );
        assert!(
            !connected(&one_shot),
            "seed {seed}: one-shot synflow keeps a path"
        );
        assert!(
            connected(&iterative),
            "seed {seed}: iterative synflow cut the network"
        );
        let per_layer: Vec<usize> = iterative.layers().iter().map(|d| d.alive()).collect();
        assert!(per_layer.iter().all(|&n| n > 0), "{per_layer:?}");
    }
}

#[test]
fn train_prunes_at_init_with_synflow_to_the_one_shot_count() {
    let bin = env!("CARGO_BIN_EXE_pruning-playground");
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(bin)
            .args([
                "train",
                "--dataset",
                "moons",
                "--samples",
                "200",
                "--epochs",
                "1",
            ])
            .args(["--prune-at-init", "0.9"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The default 2-8-8-2 network has 96 weights; round(0.9 × 96) = 86 go, whatever the rounds.
    let (ok, out, _) = run(&["--prune-score", "synflow"]);
    assert!(ok);
    assert!(
        out.starts_with(
            "pruned 86 of 96 weights before training (synflow, global, without data, 100 rounds)"
        ),
        "{out}"
    );
    let (ok, out, _) = run(&["--prune-score", "synflow", "--prune-rounds", "3"]);
    assert!(
        ok && out.contains("pruned 86 of 96") && out.contains("3 rounds"),
        "{out}"
    );
    let (ok, out, _) = run(&["--prune-score", "random"]);
    assert!(
        ok && out.contains("pruned 86 of 96")
            && out.contains("(random, global, without data): density"),
        "{out}"
    );
    let (ok, _, err) = run(&["--prune-score", "synflow", "--prune-rounds", "0"]);
    assert!(!ok && err.contains("--prune-rounds 0"), "{err}");
}

#[test]
fn a_flow_that_overflows_f32_is_refused_by_name() {
    // |w| = 1e20 everywhere: the second layer's sums reach 8 · 2e20 · 1e20, beyond f32.
    let mut m = mlp(
        &[2, 8, 8, 2],
        Activation::Relu,
        Activation::Linear,
        Init::Torch,
        0,
    );
    let huge: Vec<LayerParams> = m
        .params()
        .iter()
        .map(|p| LayerParams {
            weight: Array2::from_elem(p.weight.dim(), -1e20),
            bias: Array1::zeros(p.bias.len()),
        })
        .collect();
    m.set_params(&huge).unwrap();
    let err = prune::scores(&m, &m.masks(), Score::Synflow, Structure::Weights, 0, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("synflow") && err.contains("overflows"),
        "{err}"
    );
}
