//! N:M semi-structured sparsity (src/prune/nm.rs) against hand-computed cases: which weights of
//! each group stay, ties, short groups, weights already masked, the pattern's parse and what it
//! costs on hardware that runs it.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{Array1, Array2};
use proptest::prelude::*;
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::nm::{
    hardware_cost, layer_costs, masks, satisfies, HardwareCost, NM,
};
use pruning_playground::prune::Score;

fn mlp(inputs: usize, hidden: usize, seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs,
        hidden: vec![hidden],
        outputs: 1,
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::KaimingNormal,
        seed,
    })
    .unwrap()
}

/// Sets layer 0's first row to `row` (the rest of the model as drawn).
fn with_row(mut m: Mlp, row: &[f32]) -> Mlp {
    let mut params: Vec<LayerParams> = m.params();
    params[0]
        .weight
        .row_mut(0)
        .assign(&Array1::from(row.to_vec()));
    m.set_params(&params).unwrap();
    m
}

fn kept(mask: &Array2<f32>, row: usize) -> Vec<usize> {
    mask.row(row)
        .iter()
        .enumerate()
        .filter(|(_, &v)| v != 0.0)
        .map(|(i, _)| i)
        .collect()
}

const TWO_FOUR: NM = NM { n: 2, m: 4 };

#[test]
fn each_group_keeps_its_n_largest_ties_go_lower_index_first() {
    // Groups of 4 along the 9 inputs: [.5 -.1 .3 .2] keeps .5, .3; [.7 .7 .1 .1] keeps the two
    // .7s (the .1s tie: both go); [-.9] is a short last group of one, kept.
    let m = with_row(
        mlp(9, 3, 0),
        &[0.5, -0.1, 0.3, 0.2, 0.7, 0.7, 0.1, 0.1, -0.9],
    );
    let out = masks(&m, &m.masks(), TWO_FOUR, Score::Magnitude, 0, None).unwrap();
    assert_eq!(kept(&out[0], 0), vec![0, 2, 4, 5, 8]);
    // Four equal weights: the two lower indices go.
    let m = with_row(mlp(4, 2, 0), &[0.2, -0.2, 0.2, 0.2]);
    let out = masks(&m, &m.masks(), TWO_FOUR, Score::Magnitude, 0, None).unwrap();
    assert_eq!(kept(&out[0], 0), vec![2, 3]);
    // 1:4 on the first row of the 9-input model: .5, .7 (index 4 before 5) and -.9.
    let m = with_row(
        mlp(9, 3, 0),
        &[0.5, -0.1, 0.3, 0.2, 0.7, 0.7, 0.1, 0.1, -0.9],
    );
    let out = masks(&m, &m.masks(), NM { n: 1, m: 4 }, Score::Magnitude, 0, None).unwrap();
    assert_eq!(kept(&out[0], 0), vec![0, 5, 8]);
}

#[test]
fn weights_already_masked_count_as_gone_and_stay_gone() {
    let mut m = with_row(mlp(4, 2, 0), &[0.9, 0.1, 0.5, 0.3]);
    let mut start = m.masks();
    start[0][[0, 0]] = 0.0; // the largest is already masked
    m.set_masks(&start).unwrap();
    let out = masks(&m, &m.masks(), TWO_FOUR, Score::Magnitude, 0, None).unwrap();
    assert_eq!(
        kept(&out[0], 0),
        vec![2, 3],
        "three alive compete for two places"
    );
    // A group with two or fewer alive loses nothing.
    let mut start = m.masks();
    start[0][[0, 2]] = 0.0;
    m.set_masks(&start).unwrap();
    let out = masks(&m, &m.masks(), TWO_FOUR, Score::Magnitude, 0, None).unwrap();
    assert_eq!(kept(&out[0], 0), vec![1, 3]);
}

#[test]
fn patterns_parse_and_bad_ones_are_refused_by_name() {
    assert_eq!(NM::parse("2:4").unwrap(), TWO_FOUR);
    assert_eq!(NM::parse(" 1 : 8 ").unwrap(), NM { n: 1, m: 8 });
    assert_eq!(TWO_FOUR.name(), "2:4");
    for bad in ["4:2", "0:4", "4:4", "2", "a:b", "2:64", ""] {
        let err = NM::parse(bad).unwrap_err().to_string();
        assert!(
            err.contains("pattern") && err.contains("N:M"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn hardware_cost_counts_padded_groups_and_two_bits_per_kept_weight() {
    // 9 → 4 → 1: layer 0 has 4 rows of ⌈9/4⌉ = 3 groups, layer 1 one row of 1 group.
    // Metadata: layer 0 keeps 4·3·2 = 24 weights at 2 bits, 6 bytes; layer 1 keeps 2, 4 bits,
    // rounded up to 1 byte.
    let m = mlp(9, 4, 0);
    let layers = layer_costs(&m, TWO_FOUR);
    let want = |dense, sparse, metadata_bytes| HardwareCost {
        dense,
        sparse,
        metadata_bytes,
    };
    assert_eq!(layers, vec![want(36, 24, 6), want(4, 2, 1)]);
    assert_eq!(hardware_cost(&m, TWO_FOUR), want(40, 26, 7));
    // 1:8: 3 bits per kept weight; layer 0 has 4 rows of ⌈9/8⌉ = 2 groups: 8 kept, 24 bits.
    let layers = layer_costs(&m, NM { n: 1, m: 8 });
    assert_eq!(layers, vec![want(36, 8, 3), want(4, 1, 1)]);
}

proptest! {
    /// On any dense model whose fan-ins are multiples of m, n:m leaves exactly n/m of every
    /// layer, satisfies the pattern, and is idempotent; any score works the same way.
    #[test]
    fn n_of_m_exactly_and_idempotent(seed in 0u64..500, n in 1usize..4, groups in 1usize..4, random in any::<bool>()) {
        let pattern = NM { n, m: 4 };
        let m = Mlp::new(&MlpSpec {
            inputs: 4 * groups,
            hidden: vec![8],
            outputs: 3,
            activation: Activation::Tanh,
            output_activation: Activation::Linear,
            init: Init::GlorotUniform,
            seed,
        }).unwrap();
        let score = if random { Score::Random } else { Score::Magnitude };
        let out = masks(&m, &m.masks(), pattern, score, seed, None).unwrap();
        prop_assert!(satisfies(&out, pattern));
        for (mask, d) in out.iter().zip(m.layers()) {
            let alive = mask.iter().filter(|&&v| v != 0.0).count();
            prop_assert_eq!(alive, d.fan_out() * d.fan_in() * n / 4);
        }
        let mut pruned = m.clone();
        pruned.set_masks(&out).unwrap();
        let again = masks(&pruned, &out, pattern, score, seed, None).unwrap();
        prop_assert_eq!(again, out);
    }
}

/// `prune --pattern 2:4` on a saved model writes a model whose masks satisfy 2:4, every group
/// of every layer keeping its two largest, and refuses a bad pattern by name.
#[test]
fn the_cli_prunes_a_saved_model_to_two_of_four() {
    let dir = std::env::temp_dir().join(format!("pp-nm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
            .current_dir(&dir)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "train",
        "--dataset",
        "mnist1d",
        "--hidden",
        "16",
        "--epochs",
        "2",
        "--save",
        "m.safetensors",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "prune",
        "--model",
        "m.safetensors",
        "--pattern",
        "2:4",
        "--out",
        "p.safetensors",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opts = pruning_playground::io::ImportOptions::default();
    let read = |f: &str| {
        pruning_playground::io::import_safetensors(&std::fs::read(dir.join(f)).unwrap(), &opts)
            .unwrap()
    };
    let (dense, pruned) = (read("m.safetensors"), read("p.safetensors"));
    let want = masks(&dense, &dense.masks(), TWO_FOUR, Score::Magnitude, 0, None).unwrap();
    assert_eq!(pruned.masks(), want);
    assert!(satisfies(&pruned.masks(), TWO_FOUR));
    let out = run(&[
        "prune",
        "--model",
        "m.safetensors",
        "--pattern",
        "3:2",
        "--out",
        "q.safetensors",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid pattern: 3:2"));
    std::fs::remove_dir_all(&dir).ok();
}

/// A prune spec with a pattern reports what it removed and, like every prune, restarts the
/// optimizer: training after it equals training a fresh experiment given the same pruned model.
#[test]
fn the_experiment_prunes_to_a_pattern_and_restarts_the_optimizer() {
    use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig};
    let config = || ExperimentConfig {
        dataset: DataConfig {
            kind: "mnist1d".into(),
            ..DataConfig::default()
        },
        hidden: vec![16, 16],
        ..ExperimentConfig::default()
    };
    let mut a = Experiment::new(config()).unwrap();
    a.train(2).unwrap();
    let before = a.model.n_alive();
    let report = a
        .prune(&pruning_playground::prune::PruneSpec {
            pattern: Some(TWO_FOUR),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        report.removed,
        before / 2,
        "40, 16 and 16 inputs: every group halves"
    );
    assert_eq!(report.remaining, a.model.n_alive());
    assert_eq!(report.layer_removed.iter().sum::<usize>(), report.removed);
    assert!((report.density - 0.5).abs() < 1e-12);
    assert!(satisfies(&a.model.masks(), TWO_FOUR));
    let mut b = Experiment::new(config()).unwrap();
    b.replace_model(a.model.clone()).unwrap();
    let (ma, mb) = (a.train(2).unwrap(), b.train(2).unwrap());
    // The same steps and numbers; only the epoch count of the history differs (a has 2 before).
    let numbers = |m: &[pruning_playground::train::EpochMetrics]| -> Vec<(u64, f64, f64, f64)> {
        m.iter()
            .map(|m| (m.step, m.train_loss, m.test_loss, m.test_accuracy))
            .collect()
    };
    assert_eq!(numbers(&ma), numbers(&mb));
    assert_eq!(a.model.params(), b.model.params());
    assert!(
        satisfies(&a.model.masks(), TWO_FOUR),
        "masked weights stay 0 while training"
    );
}
