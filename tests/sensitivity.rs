//! The per-layer sensitivity scan (src/prune/sensitivity.rs): which weights each point prunes
//! (hand-computed), that only the scanned layer changes, that the model is left alone, the
//! split it reads, and how curves become per-layer sparsities.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{Array1, Array2};
use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::sensitivity::{
    rates_for, scan, sparsities_within, SensitivityCurve, SensitivityPoint,
};
use pruning_playground::prune::Score;
use pruning_playground::train::Evaluation;

/// 2 → 4 → 1 with layer 0's weights `w[r][c] = sign × (1 + 2r + c) / 10` (|w| = 0.1 … 0.8, row
/// 1 column 0 equal to row 0 column 1 in size: a tie) and layer 1's `(1 + c) / 10`.
fn model() -> Mlp {
    let mut m = Mlp::new(&MlpSpec {
        inputs: 2,
        hidden: vec![4],
        outputs: 1,
        activation: Activation::Tanh,
        output_activation: Activation::Linear,
        init: Init::GlorotNormal,
        seed: 0,
    })
    .unwrap();
    let params: Vec<LayerParams> = m
        .params()
        .iter()
        .enumerate()
        .map(|(l, p)| LayerParams {
            weight: Array2::from_shape_fn(p.weight.dim(), |(r, c)| {
                let sign = if (r + c) % 2 == 0 { 1.0 } else { -1.0 };
                if l == 0 {
                    sign * (1 + r + c) as f32 / 10.0
                } else {
                    (1 + c) as f32 / 10.0
                }
            }),
            bias: Array1::zeros(p.bias.len()),
        })
        .collect();
    m.set_params(&params).unwrap();
    m
}

/// Zeros of each layer's mask, row-major indices.
fn zeros(m: &Mlp) -> Vec<Vec<usize>> {
    m.masks()
        .iter()
        .map(|mask| {
            mask.iter()
                .enumerate()
                .filter(|(_, &v)| v == 0.0)
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

/// Scans `m` at `sparsities` and returns each evaluated model's zeros, in evaluation order.
fn scanned(m: &Mlp, sparsities: &[f64]) -> Vec<Vec<Vec<usize>>> {
    let mut seen = Vec::new();
    scan(m, sparsities, Score::Magnitude, 0, None, |p| {
        seen.push(zeros(p));
        Evaluation {
            loss: 0.0,
            accuracy: 1.0,
        }
    })
    .unwrap();
    seen
}

#[test]
fn each_point_prunes_round_half_even_of_the_layer_lowest_first_ties_by_index() {
    let m = model();
    // Layer 0 is [4, 2]: |w| row-major = .1 .2 / .2 .3 / .3 .4 / .4 .5 (ties: index 1 before 2,
    // 3 before 4, 5 before 6). Layer 1 is [1, 4]: .1 .2 .3 .4.
    // 8 weights: 0.3 → round(2.4) = 2; 0.3125 → round(2.5) = 2 (half to even); 0.4375 →
    // round(3.5) = 4; 1 → 8. 4 weights: 0.3 → 1; 0.3125 → round(1.25) = 1; 0.4375 → round(1.75)
    // = 2; 1 → 4.
    let seen = scanned(&m, &[0.3, 0.3125, 0.4375, 1.0]);
    assert_eq!(seen.len(), 1 + 2 * 4, "the base, then 4 points per layer");
    assert_eq!(seen[0], vec![Vec::<usize>::new(); 2]);
    let layer0: Vec<Vec<usize>> = seen[1..5].iter().map(|z| z[0].clone()).collect();
    assert_eq!(
        layer0,
        vec![vec![0, 1], vec![0, 1], vec![0, 1, 2, 3], (0..8).collect()]
    );
    assert!(
        seen[1..5].iter().all(|z| z[1].is_empty()),
        "layer 1 untouched"
    );
    let layer1: Vec<Vec<usize>> = seen[5..].iter().map(|z| z[1].clone()).collect();
    assert_eq!(layer1, vec![vec![0], vec![0], vec![0, 1], vec![0, 1, 2, 3]]);
    assert!(
        seen[5..].iter().all(|z| z[0].is_empty()),
        "layer 0 untouched"
    );
    assert_eq!(
        zeros(&m),
        vec![Vec::<usize>::new(); 2],
        "the model is not changed"
    );
}

#[test]
fn weights_already_masked_count_and_stay_masked() {
    let mut m = model();
    // Mask the three largest of layer 0 (indices 5, 6, 7): the layer is at 3/8 sparsity.
    let mut masks = m.masks();
    for i in [5, 6, 7] {
        masks[0].as_slice_mut().unwrap()[i] = 0.0;
    }
    m.set_masks(&masks).unwrap();
    let (_, curves) = scan(&m, &[0.25, 0.5], Score::Magnitude, 0, None, |_| {
        Evaluation {
            loss: 0.0,
            accuracy: 0.5,
        }
    })
    .unwrap();
    assert_eq!(curves[0].alive, 5);
    assert_eq!(curves[0].weights, 8);
    // 0.25 asks for 2 zeros: below the 3 there are, so nothing more; 0.5 asks for 4: one more,
    // the lowest alive (index 0).
    assert_eq!(
        curves[0].points.iter().map(|p| p.zeros).collect::<Vec<_>>(),
        vec![3, 4]
    );
    let seen = scanned(&m, &[0.25, 0.5]);
    assert_eq!(seen[1][0], vec![5, 6, 7]);
    assert_eq!(seen[2][0], vec![0, 5, 6, 7]);
}

#[test]
fn bad_sparsities_are_refused_by_name() {
    let m = model();
    for bad in [vec![], vec![0.5, 1.5], vec![-0.1], vec![f64::NAN]] {
        let err = scan(&m, &bad, Score::Magnitude, 0, None, |_| Evaluation {
            loss: 0.0,
            accuracy: 0.0,
        })
        .unwrap_err();
        assert!(err.to_string().contains("sparsities"), "{err}");
    }
}

fn curve(points: &[(f64, f64)]) -> SensitivityCurve {
    SensitivityCurve {
        layer: 0,
        weights: 10,
        alive: 10,
        points: points
            .iter()
            .map(|&(sparsity, accuracy)| SensitivityPoint {
                sparsity,
                zeros: 0,
                loss: 0.0,
                accuracy,
            })
            .collect(),
    }
}

#[test]
fn per_layer_sparsities_stop_at_the_first_point_that_loses_too_much() {
    let curves = [
        // Holds to 0.7, fails at 0.8; 0.9 recovering by noise does not count.
        curve(&[(0.9, 0.95), (0.5, 0.95), (0.7, 0.94), (0.8, 0.90)]),
        // Fails at once.
        curve(&[(0.5, 0.80), (0.7, 0.70)]),
        // Holds everywhere.
        curve(&[(0.5, 0.96), (0.9, 0.95)]),
    ];
    assert_eq!(sparsities_within(&curves, 0.95, 0.01), vec![0.7, 0.0, 0.9]);
}

#[test]
fn the_experiment_scans_on_the_validation_split_and_leaves_itself_alone() {
    let config = |validation: f32| ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 400,
            validation,
            ..DataConfig::default()
        },
        hidden: vec![8],
        ..ExperimentConfig::default()
    };
    let mut e = Experiment::new(config(0.25)).unwrap();
    e.train(20).unwrap();
    let before = e.model.params();
    let s = e
        .sensitivity(&[0.0, 0.5, 1.0], Score::Magnitude, 0)
        .unwrap();
    assert_eq!(s.split, "validation");
    assert_eq!(e.model.params(), before);
    assert_eq!(s.curves.len(), 2);
    for c in &s.curves {
        // Sparsity 0 is the unpruned model.
        assert_eq!(c.points[0].accuracy, s.base.accuracy);
    }
    // The output layer with no weights predicts one class for every row (its bias decides).
    let out = &s.curves[1].points[2];
    assert_eq!(out.zeros, s.curves[1].weights);
    assert!(
        out.accuracy < s.base.accuracy,
        "{} vs {}",
        out.accuracy,
        s.base.accuracy
    );
    let without = Experiment::new(config(0.0)).unwrap();
    assert_eq!(
        without
            .sensitivity(&[0.5], Score::Magnitude, 0)
            .unwrap()
            .split,
        "train"
    );
    // SNIP reads the next training batch and works the same way.
    assert_eq!(
        e.sensitivity(&[0.5], Score::Snip, 0).unwrap().curves.len(),
        2
    );
}

/// The CLI trains, scans on the validation split and prints one JSON object, the same numbers as
/// the library for the same flags.
#[test]
fn the_cli_prints_the_scan_as_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args([
            "sensitivity",
            "--dataset",
            "moons",
            "--samples",
            "400",
            "--hidden",
            "8",
            "--epochs",
            "5",
            "--sparsities",
            "0,0.5,1",
            "--max-drop",
            "1",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["split"], "validation");
    let curves = v["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 2);
    assert_eq!(v["sparsities_within"].as_array().unwrap().len(), 2);
    assert_eq!(v["rates_within"].as_array().unwrap().len(), 2);
    let mut e = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 400,
            ..DataConfig::default()
        },
        hidden: vec![8],
        ..ExperimentConfig::default()
    })
    .unwrap();
    e.train(5).unwrap();
    let s = e
        .sensitivity(&[0.0, 0.5, 1.0], Score::Magnitude, 0)
        .unwrap();
    for (c, lib) in curves.iter().zip(&s.curves) {
        let acc: Vec<f64> = c["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["accuracy"].as_f64().unwrap())
            .collect();
        assert_eq!(
            acc,
            lib.points.iter().map(|p| p.accuracy).collect::<Vec<_>>()
        );
    }
}

/// The scan in pieces (what the page's worker runs, one point per call): the points come layer by
/// layer in the order of the sparsities, each as the full scan has it, bit for bit; `done`
/// counts them; and training the experiment between two pieces does not change the scan, which
/// holds the model it started from.
#[test]
fn the_scan_in_pieces_is_the_full_scan_point_for_point() {
    let mut e = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 400,
            validation: 0.25,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        ..ExperimentConfig::default()
    })
    .unwrap();
    e.train(10).unwrap();
    let sparsities = [0.0, 0.3, 0.7, 0.95];
    for score in [Score::Magnitude, Score::Random, Score::Snip] {
        let full = e.sensitivity(&sparsities, score, 3).unwrap();
        let mut piecewise = e.clone();
        let (mut run, split, base) = piecewise.sensitivity_start(&sparsities, score, 3).unwrap();
        assert_eq!((split, base), (full.split, full.base));
        assert_eq!(run.total(), full.curves.len() * sparsities.len());
        assert!(run.curves().iter().all(|c| c.points.is_empty()));
        let mut k = 0;
        while let Some((layer, point)) = piecewise.sensitivity_step(&mut run).unwrap() {
            assert_eq!(layer, k / sparsities.len());
            assert_eq!(point, full.curves[layer].points[k % sparsities.len()]);
            k += 1;
            assert_eq!(run.done(), k);
            if k == 2 {
                piecewise.train(1).unwrap();
            }
        }
        assert_eq!(k, run.total());
        assert!(piecewise.sensitivity_step(&mut run).unwrap().is_none());
        assert_eq!(run.into_curves(), full.curves);
    }
}

/// The rates that prune each layer to its chosen point at layer scope, fraction 1: the zeros to
/// add over the alive weights (weights already masked count among the zeros), to 6 decimals; 0
/// for a sparsity the curve does not have, a point with no zeros to add, or a layer with none
/// alive.
#[test]
fn rates_prune_each_layer_from_its_alive_weights_to_the_point_zeros() {
    let point = |sparsity: f64, zeros: usize| SensitivityPoint {
        sparsity,
        zeros,
        loss: 0.0,
        accuracy: 1.0,
    };
    let curve = |weights, alive, points| SensitivityCurve {
        layer: 0,
        weights,
        alive,
        points,
    };
    let curves = [
        // 16 weights, 4 masked: at 0.5 (8 zeros) 4 more of the 12 alive go.
        curve(16, 12, vec![point(0.0, 4), point(0.5, 8)]),
        curve(16, 12, vec![point(0.0, 4), point(0.5, 8)]),
        curve(16, 16, vec![point(0.1, 2)]),
        curve(8, 0, vec![point(0.5, 8)]),
    ];
    assert_eq!(
        rates_for(&curves, &[0.5, 0.0, 0.2, 0.5]),
        [0.333333, 0.0, 0.0, 0.0]
    );
    assert_eq!(rates_for(&curves[2..3], &[0.1]), [0.125]);
}
