//! Per-layer rates (`PruneSpec::layer_rates`, `layerRates`, `--layer-rates`): each layer before
//! the output (neurons: each hidden layer) ranks on its own and loses
//! `round(fraction × rate × remaining)`, half to even; rate 0 leaves it dense; counts are shared by
//! rate × remaining. Hand-computed cases, the refusals, and the lottery level by level.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig, LotteryConfig};
use pruning_playground::model::{Activation, Init, Mlp, MlpSpec};
use pruning_playground::prune::{
    compute_masks, Amount, Plan, PruneSpec, Scope, Score, Selection, Structure,
};

/// 2 → 4 → 4 → 2: layers of 8, 16 and 8 weights.
fn mlp() -> Mlp {
    Mlp::new(&MlpSpec {
        inputs: 2,
        hidden: vec![4, 4],
        outputs: 2,
        activation: Activation::Tanh,
        output_activation: Activation::Linear,
        init: Init::GlorotNormal,
        seed: 3,
    })
    .unwrap()
}

fn spec(structure: Structure, amount: Amount, output_rate: f64, rates: &[f64]) -> PruneSpec {
    PruneSpec {
        structure,
        score: Score::Magnitude,
        scope: Scope::Layer,
        amount,
        output_rate,
        layer_rates: rates.to_vec(),
        seed: 0,
        pattern: None,
    }
}

fn removed(plan: &Plan) -> Vec<usize> {
    plan.layer_removed.clone()
}

#[test]
fn each_layer_loses_fraction_times_its_rate_half_to_even() {
    let m = mlp();
    let plan = |s: &PruneSpec| compute_masks(&m, &m.masks(), s, None).unwrap();
    // 0.5 × 1 × 8 = 4; 0.5 × 0.5 × 16 = 4; the output at 0.5 × 0.5 × 8 = 2.
    assert_eq!(
        removed(&plan(&spec(
            Structure::Weights,
            Amount::Fraction(0.5),
            0.5,
            &[1.0, 0.5]
        ))),
        vec![4, 4, 2]
    );
    // Rate 0 leaves a layer dense; output rate 0 leaves the output alone.
    assert_eq!(
        removed(&plan(&spec(
            Structure::Weights,
            Amount::Fraction(0.5),
            0.0,
            &[0.0, 1.0]
        ))),
        vec![0, 8, 0]
    );
    // 1 × 0.3125 × 8 = 2.5 → 2 (half to even); 1 × 0.21875 × 16 = 3.5 → 4.
    assert_eq!(
        removed(&plan(&spec(
            Structure::Weights,
            Amount::Fraction(1.0),
            0.0,
            &[0.3125, 0.21875]
        ))),
        vec![2, 4, 0]
    );
    // Without rates: the old rule, every layer at the fraction.
    assert_eq!(
        removed(&plan(&spec(
            Structure::Weights,
            Amount::Fraction(0.5),
            1.0,
            &[]
        ))),
        vec![4, 8, 4]
    );
    // A count is shared by rate × remaining: 6 over (8 × 1, 16 × 0.5) = 3 and 3.
    assert_eq!(
        removed(&plan(&spec(
            Structure::Weights,
            Amount::Count(6),
            0.0,
            &[1.0, 0.5]
        ))),
        vec![3, 3, 0]
    );
    // Neurons: hidden layer 0 at 0.5 × 0.5 × 4 = 1, hidden layer 1 dense.
    let p = plan(&spec(
        Structure::Neurons,
        Amount::Fraction(0.5),
        1.0,
        &[0.5, 0.0],
    ));
    assert_eq!(removed(&p), vec![1, 0]);
    let Selection::Neurons(keep) = p.selection else {
        panic!("neurons")
    };
    assert_eq!(keep.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 4]);
}

#[test]
fn rates_are_refused_by_name_when_out_of_range_miscounted_or_global() {
    let m = mlp();
    let err = |s: PruneSpec| {
        compute_masks(&m, &m.masks(), &s, None)
            .unwrap_err()
            .to_string()
    };
    let e = err(spec(
        Structure::Weights,
        Amount::Fraction(0.5),
        1.0,
        &[1.0, 1.5],
    ));
    assert!(e.contains("layer_rates") && e.contains("1.5"), "{e}");
    let e = err(spec(
        Structure::Weights,
        Amount::Fraction(0.5),
        1.0,
        &[1.0, 1.0, 1.0],
    ));
    assert!(
        e.contains("layer_rates") && e.contains("3 rates") && e.contains("2 for widths"),
        "{e}"
    );
    let mut global = spec(Structure::Weights, Amount::Fraction(0.5), 1.0, &[1.0, 0.5]);
    global.scope = Scope::Global;
    let e = err(global);
    assert!(e.contains("scope") && e.contains("per-layer rates"), "{e}");
}

#[test]
fn the_lottery_prunes_each_layer_at_its_rate_level_by_level() {
    let exp = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 200,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        ..ExperimentConfig::default()
    })
    .unwrap();
    let cfg = LotteryConfig {
        levels: 3,
        fraction: 0.5,
        scope: "layer".into(),
        output_rate: 0.0,
        layer_rates: vec![0.0, 1.0],
        controls: vec![],
        epochs: 1,
        ..LotteryConfig::default()
    };
    let mut runner = exp.lottery(cfg.spec().unwrap()).unwrap();
    let results = runner.run().unwrap().to_vec();
    // Layer 1 (64 weights): 64 → 32 → 16 → 8; layers 0 and the output stay dense.
    for r in &results {
        let want = [1.0, 0.5f64.powi(r.level as i32), 1.0];
        assert_eq!(r.layer_density, want, "level {}", r.level);
    }
}
