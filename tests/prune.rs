//! Behaviour of the pruning engine: exact amounts, ties, scopes, scores, structured removal,
//! schedules and the lottery controls.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{Array1, Array2, Axis};
use proptest::prelude::*;
use pruning_playground::data::Dataset;
use pruning_playground::experiment::{
    DataConfig, Experiment, ExperimentConfig, GradualConfig, PruneConfig,
};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::{
    compute_masks, mask_overlap, neuron_norms, prune, random_masks_like, scores, select,
    weight_histogram, Amount, Gradual, PruneSpec, Schedule, Scope, Score, ScoreContext, Scores,
    Selection, Structure,
};
use pruning_playground::train::{gradients, Loss, Optimizer, TrainConfig, Trainer};
use pruning_playground::{rng, Error};
use rand::Rng;

fn mlp(inputs: usize, hidden: &[usize], outputs: usize, seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs,
        hidden: hidden.to_vec(),
        outputs,
        activation: Activation::Tanh,
        output_activation: Activation::Linear,
        init: Init::GlorotNormal,
        seed,
    })
    .unwrap()
}

/// Sets every weight to `f(layer, row, col)` and every bias to `b`.
fn set_weights(model: &mut Mlp, f: impl Fn(usize, usize, usize) -> f32, b: f32) {
    let params: Vec<LayerParams> = model
        .params()
        .iter()
        .enumerate()
        .map(|(l, p)| LayerParams {
            weight: Array2::from_shape_fn(p.weight.dim(), |(r, c)| f(l, r, c)),
            bias: Array1::from_elem(p.bias.len(), b),
        })
        .collect();
    model.set_params(&params).unwrap();
}

fn alive(m: &Array2<f32>) -> usize {
    m.iter().filter(|&&v| v != 0.0).count()
}

fn weights_of(plan: &pruning_playground::prune::Plan) -> &[Array2<f32>] {
    match &plan.selection {
        Selection::Weights(m) => m,
        Selection::Neurons(_) => panic!("expected masks"),
    }
}

fn spec(structure: Structure, score: Score, scope: Scope, amount: Amount, rate: f64) -> PruneSpec {
    PruneSpec {
        structure,
        score,
        scope,
        amount,
        output_rate: rate,
        layer_rates: Vec::new(),
        seed: 7,
        pattern: None,
    }
}

fn magnitude(scope: Scope, amount: Amount, rate: f64) -> PruneSpec {
    spec(Structure::Weights, Score::Magnitude, scope, amount, rate)
}

/// A random 3-feature, 2-class problem.
fn random_data(n: usize, seed: u64) -> Dataset {
    let mut r = rng::seeded(seed);
    let x = Array2::from_shape_simple_fn((n, 3), || r.random_range(-1.0f32..1.0));
    let y: Vec<usize> = x
        .axis_iter(Axis(0))
        .map(|row| usize::from(row[0] * row[1] + 0.3 * row[2] > 0.0))
        .collect();
    let half = n / 2;
    Dataset {
        name: "random".into(),
        x_train: x.slice(ndarray::s![..half, ..]).to_owned(),
        y_train: y[..half].to_vec(),
        x_test: x.slice(ndarray::s![half.., ..]).to_owned(),
        y_test: y[half..].to_vec(),
        x_val: Array2::zeros((0, 0)),
        y_val: Vec::new(),
        n_classes: 2,
        feature_names: vec!["a".into(), "b".into(), "c".into()],
        image_side: None,
    }
}

/// Python's `round` for `x ≥ 0`, written out: the nearest integer, and on an exact half the
/// even neighbour (`round(2.5) == 2`, `round(3.5) == 4`).
fn python_round(x: f64) -> usize {
    let floor = x.floor();
    let frac = x - floor;
    let up = frac > 0.5 || (frac == 0.5 && floor % 2.0 == 1.0);
    floor as usize + usize::from(up)
}

/// The ranking groups of the documented rule, derived independently of the engine:
/// `(layers of the group, remaining, rate)`.
fn groups_of(masks: &[Array2<f32>], spec: &PruneSpec) -> Vec<(Vec<usize>, usize, f64)> {
    let n = masks.len();
    let out = n - 1;
    let joins = spec.output_rate == 1.0;
    let main: Vec<usize> = (0..n).filter(|&l| l < out || joins).collect();
    let r = |layers: &[usize]| layers.iter().map(|&l| alive(&masks[l])).sum::<usize>();
    let mut groups: Vec<(Vec<usize>, usize, f64)> = match spec.scope {
        Scope::Global => vec![(main.clone(), r(&main), 1.0)],
        Scope::Layer => main.iter().map(|&l| (vec![l], r(&[l]), 1.0)).collect(),
    };
    if !joins && spec.output_rate > 0.0 {
        groups.push((vec![out], r(&[out]), spec.output_rate));
    }
    groups
}

/// The per-group amounts of a fraction: `(layers of the group, round(f × rate × remaining))`.
fn expected_groups(masks: &[Array2<f32>], spec: &PruneSpec) -> Vec<(Vec<usize>, usize)> {
    let Amount::Fraction(f) = spec.amount else {
        panic!("a fraction")
    };
    groups_of(masks, spec)
        .into_iter()
        .map(|(layers, r, rate)| (layers, python_round(f * rate * r as f64)))
        .collect()
}

fn scope_strategy() -> impl Strategy<Value = Scope> {
    prop_oneof![Just(Scope::Global), Just(Scope::Layer)]
}

fn model_strategy() -> impl Strategy<Value = Mlp> {
    (
        1usize..5,
        prop::collection::vec(1usize..7, 0..3),
        1usize..4,
        any::<u64>(),
    )
        .prop_map(|(i, h, o, s)| mlp(i, &h, o, s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every ranking group loses exactly round(f × remaining) weights, new ⊆ old, and the report
    /// agrees with the masks — also on a model pruned before.
    #[test]
    fn prunes_exactly_k_per_group_and_new_mask_is_subset(
        mut model in model_strategy(),
        first in 0.0f64..1.0,
        f in 0.0f64..=1.0,
        scope in scope_strategy(),
        rate in prop_oneof![Just(0.0), Just(0.5), Just(1.0)],
        random in any::<bool>(),
    ) {
        let score = if random { Score::Random } else { Score::Magnitude };
        prune(&mut model, &spec(Structure::Weights, Score::Random, Scope::Layer,
            Amount::Fraction(first), 1.0), None).unwrap();
        let old = model.masks();
        let s = spec(Structure::Weights, score, scope, Amount::Fraction(f), rate);
        let report = prune(&mut model, &s, None).unwrap();
        let new = model.masks();
        for (o, n) in old.iter().zip(&new) {
            prop_assert!(o.iter().zip(n).all(|(&o, &n)| n <= o));
        }
        for (l, (o, n)) in old.iter().zip(&new).enumerate() {
            prop_assert_eq!(report.layer_removed[l], alive(o) - alive(n));
        }
        for (layers, k) in expected_groups(&old, &s) {
            let got: usize = layers.iter().map(|&l| report.layer_removed[l]).sum();
            prop_assert_eq!(got, k);
        }
        prop_assert_eq!(report.remaining, model.n_alive());
    }

    /// On tied scores the lowest flat indices go first, and exactly k of them.
    #[test]
    fn ties_are_broken_by_lower_flat_index(
        hidden in 1usize..6,
        seed in any::<u64>(),
        pre in 0.0f64..0.8,
        k_frac in 0.0f64..=1.0,
    ) {
        let mut model = mlp(3, &[hidden], 2, seed);
        prune(&mut model, &spec(Structure::Weights, Score::Random, Scope::Global,
            Amount::Fraction(pre), 1.0), None).unwrap();
        // |w| = 1 everywhere: every alive weight ties.
        set_weights(&mut model, |l, r, c| if (l + r + c) % 2 == 0 { 1.0 } else { -1.0 }, 0.0);
        let old = model.masks();
        let total: usize = old.iter().map(alive).sum();
        let k = (k_frac * total as f64) as usize;
        let plan = compute_masks(&model, &old,
            &magnitude(Scope::Global, Amount::Count(k), 1.0), None).unwrap();
        let mut expected = old.clone();
        let mut left = k;
        for m in expected.iter_mut() {
            for v in m.iter_mut() {
                if left > 0 && *v == 1.0 {
                    *v = 0.0;
                    left -= 1;
                }
            }
        }
        prop_assert_eq!(weights_of(&plan), expected.as_slice());
        prop_assert_eq!(plan.threshold, (k > 0).then_some(1.0));
    }

    /// The random score is a function of the seed only.
    #[test]
    fn same_seed_gives_same_random_mask(model in model_strategy(), seed in any::<u64>(), f in 0.0f64..=1.0) {
        let mut s = spec(Structure::Weights, Score::Random, Scope::Global, Amount::Fraction(f), 1.0);
        s.seed = seed;
        let a = compute_masks(&model, &model.masks(), &s, None).unwrap();
        let b = compute_masks(&model, &model.masks(), &s, None).unwrap();
        prop_assert_eq!(a, b);
    }

    /// k = 0 (a zero fraction, or a fraction too small to round up to one) changes nothing.
    #[test]
    fn zero_amount_is_a_no_op(mut model in model_strategy(), scope in scope_strategy(), count in any::<bool>()) {
        let amount = if count { Amount::Count(0) } else { Amount::Fraction(0.0) };
        let before = model.clone();
        let report = prune(&mut model, &magnitude(scope, amount, 0.5), None).unwrap();
        prop_assert_eq!(&model, &before);
        prop_assert_eq!(report.removed, 0);
        prop_assert_eq!(report.threshold, None);
        let report = prune(&mut model, &magnitude(scope, Amount::Fraction(1e-9), 0.5), None).unwrap();
        prop_assert_eq!(&model, &before);
        prop_assert_eq!(report.removed, 0);
    }

    /// A count above what remains is refused, and the model is left alone.
    #[test]
    fn count_above_remaining_is_an_error(mut model in model_strategy(), extra in 1usize..50, neurons in any::<bool>()) {
        let before = model.clone();
        let (structure, remaining) = if neurons {
            (Structure::Neurons, model.spec().hidden.iter().sum::<usize>())
        } else {
            (Structure::Weights, model.n_alive())
        };
        let s = spec(structure, Score::Magnitude, Scope::Global, Amount::Count(remaining + extra), 1.0);
        let err = prune(&mut model, &s, None).unwrap_err();
        prop_assert!(matches!(err, Error::InvalidConfig { ref field, .. } if field == "amount"), "{}", err);
        prop_assert_eq!(&model, &before);
    }

    /// Neuron pruning removes round(f × width) per layer, but never a layer's last neuron.
    #[test]
    fn neuron_pruning_removes_exactly_k_and_keeps_one_per_layer(
        mut model in model_strategy(),
        f in 0.0f64..=1.0,
        scope in scope_strategy(),
    ) {
        let widths = model.widths();
        let hidden = &widths[1..widths.len() - 1];
        let report = prune(&mut model,
            &spec(Structure::Neurons, Score::Magnitude, scope, Amount::Fraction(f), 0.5), None).unwrap();
        let after = model.widths();
        prop_assert!(after[1..after.len() - 1].iter().all(|&w| w >= 1));
        prop_assert_eq!(after[after.len() - 1], widths[widths.len() - 1]);
        match scope {
            Scope::Layer => {
                for (h, &w) in hidden.iter().enumerate() {
                    let k = (f * w as f64).round() as usize;
                    prop_assert_eq!(report.layer_removed[h], k.min(w - 1));
                }
            }
            Scope::Global => {
                let total: usize = hidden.iter().sum();
                let k = (f * total as f64).round() as usize;
                prop_assert_eq!(report.removed, k.min(total - hidden.len()));
                prop_assert_eq!(report.clipped, k > total - hidden.len());
            }
        }
        prop_assert_eq!(report.remaining, after[1..after.len() - 1].iter().sum::<usize>());
    }
}

#[test]
fn magnitude_scores_are_absolute_masked_weights() {
    let model = mlp(3, &[4], 2, 1);
    let mut masks = model.masks();
    masks[0][(1, 2)] = 0.0;
    let Scores::Weights(s) = scores(
        &model,
        &masks,
        Score::Magnitude,
        Structure::Weights,
        0,
        None,
    )
    .unwrap() else {
        panic!("weight scores")
    };
    for (l, d) in model.layers().iter().enumerate() {
        for ((r, c), &w) in d.weight().indexed_iter() {
            let expected = if masks[l][(r, c)] == 0.0 {
                0.0
            } else {
                w.abs()
            };
            assert_eq!(s[l][(r, c)], expected);
        }
    }
}

/// Rows [3, −4, 0, 0], [1, 1, 1, 1] and [0, 0, 0, 2] (row 0's 3 masked in the second case):
/// ‖·‖₁ = 7, 4, 2; ‖·‖₂ = 5, 2, 2; ‖·‖₃ = 91^⅓, 4^⅓, 2; ‖·‖∞ = 4, 1, 2 (raw). Normalized by the
/// fan-in n = 4, i.e. divided by n^(1/P − 1/2): by 2 for L1, 1 for L2, 4^(−1/6) for L3, ½ for L∞.
#[test]
fn lp_neuron_scores_match_hand_computed_norms() {
    let mut model = mlp(4, &[3], 1, 1);
    let rows = [
        [3.0, -4.0, 0.0, 0.0],
        [1.0, 1.0, 1.0, 1.0],
        [0.0, 0.0, 0.0, 2.0],
    ];
    set_weights(
        &mut model,
        |l, r, c| if l == 0 { rows[r][c] } else { 1.0 },
        0.0,
    );
    let l3 = 4f32.powf(1.0 / 6.0);
    let cases: [(Score, [f32; 3]); 9] = [
        (Score::Magnitude, [3.5, 2.0, 1.0]),
        (Score::Lp(1.0), [3.5, 2.0, 1.0]),
        (Score::Lp(2.0), [5.0, 2.0, 2.0]),
        (
            Score::Lp(3.0),
            [91f32.cbrt() * l3, 4f32.cbrt() * l3, 2.0 * l3],
        ),
        (Score::Lp(f64::INFINITY), [8.0, 2.0, 4.0]),
        (Score::LpRaw(1.0), [7.0, 4.0, 2.0]),
        (Score::LpRaw(2.0), [5.0, 2.0, 2.0]),
        (Score::LpRaw(3.0), [91f32.cbrt(), 4f32.cbrt(), 2.0]),
        (Score::LpRaw(f64::INFINITY), [4.0, 1.0, 2.0]),
    ];
    for (score, expected) in cases {
        let Scores::Neurons(s) =
            scores(&model, &model.masks(), score, Structure::Neurons, 0, None).unwrap()
        else {
            panic!("neuron scores")
        };
        assert_eq!(s.len(), 1);
        for (got, want) in s[0].iter().zip(expected) {
            assert!((got - want).abs() < 1e-5, "{score:?}: {got} vs {want}");
        }
    }
    // Mask-respecting: with the 3 masked, row 0 is [0, −4, 0, 0].
    let mut masks = model.masks();
    masks[0][(0, 0)] = 0.0;
    let Scores::Neurons(s) =
        scores(&model, &masks, Score::Lp(2.0), Structure::Neurons, 0, None).unwrap()
    else {
        panic!("neuron scores")
    };
    assert!((s[0][0] - 4.0).abs() < 1e-6);
    let norms = neuron_norms(&model, 2.0);
    assert_eq!(norms.len(), 2);
    assert!((norms[0][0] - 5.0).abs() < 1e-6 && (norms[1][0] - 3f32.sqrt()).abs() < 1e-6);
}

/// For weights, lp:P is |w| / ‖W_layer‖_P: the same ranking as magnitude within a layer.
#[test]
fn lp_weight_scores_are_magnitude_over_layer_norm() {
    let mut model = mlp(2, &[2], 1, 1);
    // Layer 0: [[3, −4], [0, 0]] → ‖·‖₂ = 5; layer 1: [[1, 1]] → ‖·‖₂ = √2.
    let w = [vec![[3.0, -4.0], [0.0, 0.0]], vec![[1.0, 1.0]]];
    set_weights(&mut model, |l, r, c| w[l][r][c], 0.0);
    let Scores::Weights(s) = scores(
        &model,
        &model.masks(),
        Score::Lp(2.0),
        Structure::Weights,
        0,
        None,
    )
    .unwrap() else {
        panic!("weight scores")
    };
    assert!((s[0][(0, 0)] - 0.6).abs() < 1e-6 && (s[0][(0, 1)] - 0.8).abs() < 1e-6);
    assert!((s[1][(0, 0)] - 0.5f32.sqrt()).abs() < 1e-6);
    let model = mlp(5, &[8, 6], 3, 9);
    for amount in [Amount::Fraction(0.3), Amount::Fraction(0.75)] {
        let by_mag = compute_masks(
            &model,
            &model.masks(),
            &magnitude(Scope::Layer, amount, 0.5),
            None,
        )
        .unwrap();
        let by_lp = compute_masks(
            &model,
            &model.masks(),
            &spec(
                Structure::Weights,
                Score::Lp(2.0),
                Scope::Layer,
                amount,
                0.5,
            ),
            None,
        )
        .unwrap();
        assert_eq!(by_mag.selection, by_lp.selection);
    }
}

#[test]
fn random_scores_depend_on_the_seed() {
    let model = mlp(4, &[16, 16], 2, 3);
    let s = |seed| {
        let mut s = spec(
            Structure::Weights,
            Score::Random,
            Scope::Layer,
            Amount::Fraction(0.5),
            1.0,
        );
        s.seed = seed;
        compute_masks(&model, &model.masks(), &s, None)
            .unwrap()
            .selection
    };
    assert_eq!(s(1), s(1));
    assert_ne!(s(1), s(2));
    let n = |seed| {
        scores(
            &model,
            &model.masks(),
            Score::Random,
            Structure::Neurons,
            seed,
            None,
        )
        .unwrap()
    };
    assert_eq!(n(5), n(5));
    assert_ne!(n(5), n(6));
}

#[test]
fn snip_scores_are_abs_weight_times_gradient() {
    let model = mlp(3, &[5, 4], 2, 2);
    let data = random_data(32, 4);
    let ctx = ScoreContext {
        x: data.x_train.view(),
        y: &data.y_train,
        loss: Loss::CrossEntropy,
    };
    let (_, g) = gradients(&model, ctx.x, ctx.y, ctx.loss).unwrap();
    let Scores::Weights(s) = scores(
        &model,
        &model.masks(),
        Score::Snip,
        Structure::Weights,
        0,
        Some(&ctx),
    )
    .unwrap() else {
        panic!("weight scores")
    };
    for (l, d) in model.layers().iter().enumerate() {
        let expected = (&d.weight() * &g[l].weight).mapv(f32::abs);
        assert_eq!(s[l], expected);
    }
    let Scores::Neurons(n) = scores(
        &model,
        &model.masks(),
        Score::Snip,
        Structure::Neurons,
        0,
        Some(&ctx),
    )
    .unwrap() else {
        panic!("neuron scores")
    };
    for (h, n) in n.iter().enumerate() {
        let expected = s[h].sum_axis(Axis(1));
        assert!(n.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-6));
    }
}

#[test]
fn snip_without_a_batch_says_what_is_missing() {
    let mut model = mlp(3, &[4], 2, 2);
    let before = model.clone();
    let s = spec(
        Structure::Weights,
        Score::Snip,
        Scope::Global,
        Amount::Fraction(0.5),
        1.0,
    );
    let err = prune(&mut model, &s, None).unwrap_err().to_string();
    assert!(err.contains("snip needs a batch"), "{err}");
    assert_eq!(model, before);
}

#[test]
fn nan_scores_are_refused() {
    let model = mlp(3, &[4], 2, 2);
    let mut s: Vec<Array2<f32>> = model.masks();
    s[0][(0, 0)] = f32::NAN;
    let err = select(
        &model,
        &model.masks(),
        &Scores::Weights(s.clone()),
        &PruneSpec::default(),
    );
    assert!(matches!(err, Err(Error::State { .. })));
    // …unless the entry is already pruned.
    let mut masks = model.masks();
    masks[0][(0, 0)] = 0.0;
    assert!(select(&model, &masks, &Scores::Weights(s), &PruneSpec::default()).is_ok());
}

/// Removing neurons physically gives the outputs of the same network with their incoming
/// weights, bias and outgoing weights masked.
#[test]
fn structured_removal_equals_masking_in_and_out_weights() {
    for act in Activation::ALL {
        let mut model = Mlp::new(&MlpSpec {
            inputs: 4,
            hidden: vec![6, 5],
            outputs: 3,
            activation: act,
            output_activation: Activation::Linear,
            init: Init::KaimingUniform,
            seed: 5,
        })
        .unwrap();
        let mut r = rng::seeded(8);
        let params: Vec<LayerParams> = model
            .params()
            .into_iter()
            .map(|p| LayerParams {
                bias: p.bias.mapv(|_| r.random_range(-0.5f32..0.5)),
                ..p
            })
            .collect();
        model.set_params(&params).unwrap();
        let dense = model.clone();
        let s = spec(
            Structure::Neurons,
            Score::Random,
            Scope::Layer,
            Amount::Fraction(0.5),
            0.5,
        );
        let report = prune(&mut model, &s, None).unwrap();
        assert_eq!(report.layer_removed, vec![3, 2]); // round(3.0) and round(2.5), half to even
        assert_eq!(model.widths(), vec![4, 3, 3, 3]);

        // The masked equivalent, built by hand from the kept ids.
        let mut masked = dense.clone();
        let mut masks = masked.masks();
        let mut params = masked.params();
        for (h, ids) in model.neuron_ids().iter().enumerate() {
            for i in (0..dense.spec().hidden[h]).filter(|i| !ids.contains(i)) {
                masks[h].row_mut(i).fill(0.0);
                params[h].bias[i] = 0.0;
                masks[h + 1].column_mut(i).fill(0.0);
            }
        }
        masked.set_params(&params).unwrap();
        masked.set_masks(&masks).unwrap();
        assert_eq!(masked.n_alive(), model.n_alive());
        assert!((masked.density() - model.density()).abs() < 1e-12);

        let x = Array2::from_shape_simple_fn((16, 4), || r.random_range(-2.0f32..2.0));
        let a = model.forward(x.view()).unwrap();
        let b = masked.forward(x.view()).unwrap();
        let diff = (&a - &b).mapv(f32::abs).fold(0.0f32, |m, &v| m.max(v));
        assert!(diff < 1e-6, "{act:?}: {diff}");
    }
}

#[test]
fn tied_neurons_go_by_index_and_the_top_one_stays() {
    let mut model = mlp(3, &[4, 3], 2, 1);
    set_weights(&mut model, |_, _, _| 1.0, 0.0);
    let s = spec(
        Structure::Neurons,
        Score::Magnitude,
        Scope::Layer,
        Amount::Fraction(1.0),
        1.0,
    );
    let plan = compute_masks(&model, &model.masks(), &s, None).unwrap();
    assert_eq!(plan.selection, Selection::Neurons(vec![vec![3], vec![2]]));
    assert!(plan.clipped);
    let s = spec(
        Structure::Neurons,
        Score::Magnitude,
        Scope::Global,
        Amount::Count(2),
        1.0,
    );
    let plan = compute_masks(&model, &model.masks(), &s, None).unwrap();
    // Layer 0's neurons score 3 / √3 = √3 (fan-in 3), layer 1's 4 / √4 = 2: layer 0 goes first.
    assert_eq!(
        plan.selection,
        Selection::Neurons(vec![vec![2, 3], vec![0, 1, 2]])
    );
    assert!(!plan.clipped);
    assert!((plan.threshold.unwrap() - 3f32.sqrt()).abs() < 1e-6);
}

#[test]
fn output_rate_scales_the_output_layer_alone() {
    let model = mlp(6, &[10, 10], 10, 4); // 60 + 100 + 100 weights
    let removed = |scope, rate| {
        compute_masks(
            &model,
            &model.masks(),
            &magnitude(scope, Amount::Fraction(0.2), rate),
            None,
        )
        .unwrap()
        .layer_removed
    };
    assert_eq!(removed(Scope::Layer, 0.5), vec![12, 20, 10]);
    assert_eq!(removed(Scope::Layer, 0.0), vec![12, 20, 0]);
    assert_eq!(removed(Scope::Layer, 1.0), vec![12, 20, 20]);
    let global = removed(Scope::Global, 0.5);
    assert_eq!((global[0] + global[1], global[2]), (32, 10));
    assert_eq!(removed(Scope::Global, 0.0)[2], 0);
    // With rate 1 the output layer joins the one ranking: the 52 lowest |w| of the network.
    let global = removed(Scope::Global, 1.0);
    assert_eq!(global.iter().sum::<usize>(), 52);
    let mut all: Vec<(f32, usize)> = model
        .layers()
        .iter()
        .enumerate()
        .flat_map(|(l, d)| {
            d.weight()
                .iter()
                .map(move |w| (w.abs(), l))
                .collect::<Vec<_>>()
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut expected = vec![0; 3];
    for &(_, l) in &all[..52] {
        expected[l] += 1;
    }
    assert_eq!(global, expected);
}

/// Layer 0's weights are 1000× the others: global scope strips the small layers, layer scope
/// keeps every layer at the same density.
#[test]
fn global_scope_follows_scale_and_layer_scope_keeps_densities_equal() {
    let mut model = mlp(8, &[8], 8, 6);
    let params: Vec<LayerParams> = model
        .params()
        .into_iter()
        .enumerate()
        .map(|(l, p)| LayerParams {
            weight: if l == 0 { p.weight * 1000.0 } else { p.weight },
            ..p
        })
        .collect();
    model.set_params(&params).unwrap();
    let mut layer = model.clone();
    let r = prune(
        &mut layer,
        &magnitude(Scope::Layer, Amount::Fraction(0.5), 1.0),
        None,
    )
    .unwrap();
    assert_eq!(r.layer_density, vec![0.5, 0.5]);
    let mut global = model.clone();
    let r = prune(
        &mut global,
        &magnitude(Scope::Global, Amount::Fraction(0.5), 1.0),
        None,
    )
    .unwrap();
    assert!((r.density - 0.5).abs() < 1e-12);
    assert!(
        r.layer_density[0] > 0.95 && r.layer_density[1] < 0.05,
        "{:?}",
        r.layer_density
    );
    // lp:2 normalizes each layer by its norm, so the scale no longer decides.
    let mut lp = model.clone();
    let s = spec(
        Structure::Weights,
        Score::Lp(2.0),
        Scope::Global,
        Amount::Fraction(0.5),
        1.0,
    );
    let r = prune(&mut lp, &s, None).unwrap();
    assert!(
        r.layer_density.iter().all(|&d| (0.3..0.7).contains(&d)),
        "{:?}",
        r.layer_density
    );
}

#[test]
fn count_prunes_exactly_n_under_global_scope() {
    let mut model = mlp(4, &[7, 5], 3, 2);
    let before = model.n_alive();
    let r = prune(
        &mut model,
        &magnitude(Scope::Global, Amount::Count(17), 1.0),
        None,
    )
    .unwrap();
    assert_eq!((r.removed, r.remaining), (17, before - 17));
    assert_eq!(model.n_alive(), before - 17);
}

#[test]
fn report_threshold_is_the_largest_pruned_score() {
    let mut model = mlp(3, &[5], 2, 2);
    let Scores::Weights(s) = scores(
        &model,
        &model.masks(),
        Score::Magnitude,
        Structure::Weights,
        0,
        None,
    )
    .unwrap() else {
        panic!("weight scores")
    };
    let r = prune(
        &mut model,
        &magnitude(Scope::Layer, Amount::Fraction(0.4), 1.0),
        None,
    )
    .unwrap();
    for (l, m) in model.masks().iter().enumerate() {
        let pruned_max = s[l]
            .iter()
            .zip(m)
            .filter(|(_, &m)| m == 0.0)
            .map(|(&s, _)| s)
            .fold(f32::MIN, f32::max);
        let kept_min = s[l]
            .iter()
            .zip(m)
            .filter(|(_, &m)| m != 0.0)
            .map(|(&s, _)| s)
            .fold(f32::MAX, f32::min);
        assert_eq!(r.layer_threshold[l], Some(pruned_max));
        assert!(pruned_max <= kept_min);
    }
    assert_eq!(
        r.threshold,
        r.layer_threshold.iter().flatten().copied().reduce(f32::max)
    );
}

#[test]
fn masked_weights_stay_zero_through_training_with_every_optimizer() {
    let data = random_data(64, 3);
    for optimizer in [
        Optimizer::Sgd,
        Optimizer::Momentum { beta: 0.9 },
        Optimizer::adam(),
    ] {
        let mut model = mlp(3, &[8, 8], 2, 12);
        let mut trainer = Trainer::new(TrainConfig {
            optimizer,
            learning_rate: 0.05,
            batch_size: 16,
            ..TrainConfig::default()
        })
        .unwrap();
        trainer.train_steps(&mut model, &data, 5).unwrap();
        for (structure, score) in [
            (Structure::Weights, Score::Magnitude),
            (Structure::Neurons, Score::Lp(2.0)),
        ] {
            prune(
                &mut model,
                &spec(structure, score, Scope::Global, Amount::Fraction(0.5), 1.0),
                None,
            )
            .unwrap();
            let masks = model.masks();
            trainer.train_steps(&mut model, &data, 20).unwrap();
            assert_eq!(model.masks(), masks);
            for (d, m) in model.layers().iter().zip(&masks) {
                for (&w, &m) in d.weight().iter().zip(m) {
                    assert!(m != 0.0 || w == 0.0, "{optimizer:?}: masked weight {w}");
                }
            }
        }
    }
}

#[test]
fn gradual_schedule_follows_the_cubic_ramp() {
    let g = Gradual {
        initial_sparsity: 0.1,
        final_sparsity: 0.9,
        begin_step: 100,
        end_step: 300,
        frequency: 30,
        power: 3.0,
    };
    g.validate().unwrap();
    assert_eq!(g.sparsity(0), 0.1);
    assert_eq!(g.sparsity(100), 0.1);
    // Mid-way: 0.9 + (0.1 − 0.9) · 0.5³ = 0.8.
    assert!((g.sparsity(200) - 0.8).abs() < 1e-12);
    assert_eq!(g.sparsity(300), 0.9);
    assert_eq!(g.sparsity(1000), 0.9);
    let due: Vec<u64> = (0..400).filter(|&t| g.due(t)).collect();
    assert_eq!(due, vec![100, 130, 160, 190, 220, 250, 280, 300]);
    assert_eq!(g.n_steps(), 8);
    assert_eq!((0..8).map(|i| g.nth_step(i)).collect::<Vec<_>>(), due);
    // From density 0.5 to 1 − 0.8 = 0.2: prune 60 % of what remains.
    assert!((g.fraction_now(200, 0.5) - 0.6).abs() < 1e-12);
    assert_eq!(g.fraction_now(200, 0.1), 0.0);
    let schedule = Schedule::Gradual(g);
    assert_eq!(schedule.levels(), 8);
    assert!((schedule.density_after(8) - 0.1).abs() < 1e-12);
}

/// Driven by training steps, gradual pruning lands on 1 − s_f at the end step, up to the rounding
/// of one weight per ranking group (half a weight per layer, or half a weight globally).
#[test]
fn gradual_pruning_hits_the_final_density_at_the_end_step() {
    let data = random_data(64, 5);
    for scope in Scope::ALL {
        let mut model = mlp(3, &[16, 16], 2, 3);
        let total = model.n_weights() as f64;
        let g = Gradual {
            initial_sparsity: 0.0,
            final_sparsity: 0.9,
            begin_step: 0,
            end_step: 100,
            frequency: 10,
            power: 3.0,
        };
        let mut trainer = Trainer::new(TrainConfig {
            batch_size: 16,
            ..TrainConfig::default()
        })
        .unwrap();
        let mut last = 1.0;
        for step in 0..=g.end_step {
            assert_eq!(trainer.step(), step);
            if g.due(step) {
                let f = g.fraction_now(step, model.density());
                prune(
                    &mut model,
                    &magnitude(scope, Amount::Fraction(f), 1.0),
                    None,
                )
                .unwrap();
                let tolerance = match scope {
                    Scope::Layer => 1.5 / total,
                    Scope::Global => 0.5 / total,
                };
                assert!((model.density() - (1.0 - g.sparsity(step))).abs() <= tolerance + 1e-12);
                assert!(model.density() <= last);
                last = model.density();
            }
            trainer.train_steps(&mut model, &data, 1).unwrap();
        }
        let tolerance = if scope == Scope::Layer { 1.5 } else { 0.5 } / total;
        assert!(
            (model.density() - 0.1).abs() <= tolerance + 1e-12,
            "{scope:?}: {}",
            model.density()
        );
    }
}

#[test]
fn one_shot_and_iterative_schedules_reach_their_densities() {
    let one = Schedule::OneShot {
        target_density: 0.3,
    };
    one.validate().unwrap();
    let mut model = mlp(10, &[20], 10, 1); // 400 weights
    let f = one.fraction(0, model.density());
    assert!((f - 0.7).abs() < 1e-12);
    prune(
        &mut model,
        &magnitude(Scope::Layer, Amount::Fraction(f), 1.0),
        None,
    )
    .unwrap();
    assert!((model.density() - 0.3).abs() < 1e-12);
    assert_eq!(one.fraction(1, model.density()), 0.0);

    let it = Schedule::Iterative {
        levels: 5,
        fraction: 0.2,
    };
    it.validate().unwrap();
    let mut model = mlp(10, &[20], 10, 1);
    for level in 0..5 {
        let f = it.fraction(level, model.density());
        assert_eq!(f, 0.2);
        prune(
            &mut model,
            &magnitude(Scope::Layer, Amount::Fraction(f), 1.0),
            None,
        )
        .unwrap();
        let planned = 0.8f64.powi(level as i32 + 1);
        assert!((it.density_after(level + 1) - planned).abs() < 1e-12);
        // Each level rounds at most half a weight per layer.
        assert!((model.density() - planned).abs() <= (level + 1) as f64 * 1.0 / 400.0);
    }
    assert_eq!(it.fraction(5, model.density()), 0.0);
    assert!(Schedule::Iterative {
        levels: 3,
        fraction: 1.0
    }
    .validate()
    .is_err());
    assert!(Schedule::OneShot {
        target_density: 0.0
    }
    .validate()
    .is_err());
}

#[test]
fn random_masks_keep_per_layer_counts_and_depend_on_the_seed() {
    let mut model = mlp(5, &[12, 9], 4, 3);
    prune(
        &mut model,
        &magnitude(Scope::Global, Amount::Fraction(0.6), 0.5),
        None,
    )
    .unwrap();
    let a = random_masks_like(&model, 1);
    assert_eq!(a, random_masks_like(&model, 1));
    assert_ne!(a, random_masks_like(&model, 2));
    for (r, m) in a.iter().zip(model.masks()) {
        assert_eq!(r.dim(), m.dim());
        assert_eq!(alive(r), alive(&m));
    }
    model.set_masks(&a).unwrap();
    assert_eq!(mask_overlap(&a, &a), 1.0);
}

#[test]
fn mask_overlap_is_the_jaccard_index() {
    let a = vec![ndarray::array![[1.0f32, 1.0], [0.0, 0.0]]];
    let b = vec![ndarray::array![[0.0f32, 1.0], [1.0, 0.0]]];
    let c = vec![ndarray::array![[0.0f32, 0.0], [1.0, 1.0]]];
    assert!((mask_overlap(&a, &b) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(mask_overlap(&a, &c), 0.0);
    let empty = vec![Array2::<f32>::zeros((2, 2))];
    assert_eq!(mask_overlap(&empty, &empty), 1.0);
}

#[test]
fn weight_histogram_counts_every_alive_weight() {
    let mut model = mlp(4, &[6], 3, 2);
    let r = prune(
        &mut model,
        &magnitude(Scope::Layer, Amount::Fraction(0.5), 1.0),
        None,
    )
    .unwrap();
    let (edges, counts) = weight_histogram(&model, 8);
    assert_eq!((edges.len(), counts.len()), (9, 8));
    assert_eq!(counts.iter().sum::<usize>(), model.n_alive());
    let max = model
        .layers()
        .iter()
        .flat_map(|d| d.weight().iter().map(|w| w.abs()).collect::<Vec<_>>())
        .fold(0.0f32, f32::max);
    assert_eq!((edges[0], edges[8]), (0.0, max));
    // Magnitude pruning removed everything below each layer's threshold: bins wholly below the
    // smallest threshold are empty.
    let t = r
        .layer_threshold
        .iter()
        .flatten()
        .copied()
        .fold(f32::MAX, f32::min);
    for (i, &c) in counts.iter().enumerate() {
        if edges[i + 1] < t {
            assert_eq!(c, 0, "bin {i}");
        }
    }
}

#[test]
fn names_round_trip_and_errors_list_the_allowed_values() {
    for name in [
        "magnitude",
        "lp:1",
        "lp:2.5",
        "lp:inf",
        "lp:1:raw",
        "lp:inf:raw",
        "random",
        "snip",
    ] {
        assert_eq!(Score::parse(name).unwrap().name(), name);
    }
    for name in ["0.2", "1", "0", "count:12"] {
        assert_eq!(Amount::parse(name).unwrap().name(), name);
    }
    for s in Structure::ALL {
        assert_eq!(Structure::parse(s.name()).unwrap(), s);
    }
    for s in Scope::ALL {
        assert_eq!(Scope::parse(s.name()).unwrap(), s);
    }
    let msg = |r: Result<(), Error>| r.unwrap_err().to_string();
    assert!(msg(Score::parse("lp:0.5").map(|_| ())).contains("magnitude, lp:P"));
    assert!(msg(Score::parse("lp:0.5:raw").map(|_| ())).contains("lp:P:raw"));
    assert!(Score::parse("lp:2:rav").is_err() && Score::parse("lp::raw").is_err());
    assert!(msg(Score::parse("l2").map(|_| ())).contains("snip"));
    assert!(msg(Amount::parse("1.5").map(|_| ())).contains("count:N"));
    assert!(msg(Structure::parse("rows").map(|_| ())).contains("weights, neurons"));
    assert!(msg(Scope::parse("local").map(|_| ())).contains("global, layer"));
    let bad = PruneSpec {
        output_rate: 2.0,
        ..PruneSpec::default()
    };
    assert!(msg(bad.validate()).contains("output_rate"));

    let s = spec(
        Structure::Neurons,
        Score::Lp(f64::INFINITY),
        Scope::Global,
        Amount::Count(3),
        0.5,
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(
        json.contains("\"lp:inf\"") && json.contains("\"count:3\"") && json.contains("\"neurons\""),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<PruneSpec>(&json).unwrap(), s);
    assert!(serde_json::from_str::<PruneSpec>(r#"{"score":"lp:0"}"#).is_err());
    let g = Schedule::Gradual(Gradual {
        initial_sparsity: 0.0,
        final_sparsity: 0.8,
        begin_step: 0,
        end_step: 10,
        frequency: 2,
        power: 3.0,
    });
    let json = serde_json::to_string(&g).unwrap();
    assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), g);
    let json = r#"{"kind":"gradual","initial_sparsity":0,"final_sparsity":0.5,"begin_step":0,"end_step":4,"frequency":1}"#;
    let Schedule::Gradual(g) = serde_json::from_str::<Schedule>(json).unwrap() else {
        panic!("gradual")
    };
    assert_eq!(g.power, 3.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// An exact half rounds to the even neighbour, as Python's `round`: a layer of 2^j weights
    /// pruned at (m + ½) / 2^j (exact in binary) loses m if m is even and m + 1 if m is odd.
    #[test]
    fn a_half_rounds_to_the_even_neighbour(
        i in 0u32..3,
        o in 0u32..3,
        m in 0usize..16,
        scope in scope_strategy(),
        seed in any::<u64>(),
    ) {
        let n = 1usize << (i + o);
        let m = m % n;
        let model = mlp(1 << i, &[], 1 << o, seed);
        let f = (m as f64 + 0.5) / n as f64;
        let plan = compute_masks(&model, &model.masks(),
            &magnitude(scope, Amount::Fraction(f), 1.0), None).unwrap();
        prop_assert_eq!(plan.layer_removed[0], if m % 2 == 0 { m } else { m + 1 });
        // The same rule for neurons: a hidden layer of 2^j neurons (m < 2^j − 1, so the last
        // neuron is never at stake).
        let w = 2usize << i; // 2, 4 or 8 neurons
        let m = m % (w - 1);
        let model = mlp(3, &[w], 2, seed);
        let f = (m as f64 + 0.5) / w as f64;
        let plan = compute_masks(&model, &model.masks(),
            &spec(Structure::Neurons, Score::Magnitude, scope, Amount::Fraction(f), 1.0), None).unwrap();
        prop_assert_eq!(plan.layer_removed[0], if m % 2 == 0 { m } else { m + 1 });
    }

    /// A count prunes exactly that many in all, whatever the scope and the output rate, each
    /// ranking group within one entry of its share n × rate × remaining / Σ rate × remaining; the
    /// new mask is a subset of the old one; one more than a fraction of 1 would take is refused.
    #[test]
    fn a_count_prunes_exactly_that_many_over_all_layers(
        mut model in model_strategy(),
        first in 0.0f64..0.9,
        pick in 0.0f64..=1.0,
        scope in scope_strategy(),
        rate in prop_oneof![Just(0.0), Just(0.3), Just(0.5), Just(1.0)],
        random in any::<bool>(),
    ) {
        prune(&mut model, &spec(Structure::Weights, Score::Random, Scope::Layer,
            Amount::Fraction(first), 1.0), None).unwrap();
        let old = model.masks();
        let score = if random { Score::Random } else { Score::Magnitude };
        let groups = groups_of(&old, &magnitude(scope, Amount::Count(0), rate));
        let weight: f64 = groups.iter().map(|g| g.2 * g.1 as f64).sum();
        let cap = (weight + 1e-9).floor() as usize;
        let n = (pick * cap as f64).floor() as usize;
        let over = spec(Structure::Weights, score, scope, Amount::Count(cap + 1), rate);
        prop_assert!(compute_masks(&model, &old, &over, None).is_err());
        let before = model.n_alive();
        let report = prune(&mut model, &spec(Structure::Weights, score, scope, Amount::Count(n), rate), None).unwrap();
        prop_assert_eq!(report.removed, n);
        prop_assert_eq!(before - model.n_alive(), n);
        for (o, m) in old.iter().zip(&model.masks()) {
            prop_assert!(o.iter().zip(m).all(|(&o, &m)| m <= o));
        }
        if n > 0 {
            for (layers, r, rate) in groups {
                let got: usize = layers.iter().map(|&l| report.layer_removed[l]).sum();
                let share = n as f64 * rate * r as f64 / weight;
                prop_assert!((got as f64 - share).abs() < 1.0 + 1e-9, "{} vs share {}", got, share);
            }
        }
    }
}

/// 2-8-8-2 has layers of 16, 64 and 16 weights. Layer by layer at 0.15625 that is 2.5, 10 and 2.5
/// weights: Python's round (half to even) gives [2, 10, 2], which is what torch's
/// `l1_unstructured` prunes (tests/fixtures/torch_prune_cases.json); rounding half away from
/// zero gave [3, 10, 3].
#[test]
fn layer_scope_at_0_15625_prunes_2_10_2_as_torch() {
    let model = mlp(2, &[8, 8], 2, 1);
    let plan = compute_masks(
        &model,
        &model.masks(),
        &magnitude(Scope::Layer, Amount::Fraction(0.15625), 1.0),
        None,
    )
    .unwrap();
    assert_eq!(plan.layer_removed, vec![2, 10, 2]);
}

/// `count:17` with output rate 0.5 on 2-8-8-2 (80 hidden weights, 16 output weights) prunes 17.
/// Global scope (the CLI's `prune` default): W = 80 + 0.5 × 16 = 88, shares 17 × 80 / 88 = 15.45
/// and 17 × 8 / 88 = 1.55 → 15 + 1, the missing one to the larger remainder (the output's) →
/// [15 over the hidden layers, 2]. Layer scope: shares 3.09, 12.36, 1.55 → 3 + 12 + 1, the missing
/// one to the output → [3, 12, 2]. Before, the count set the hidden fraction 17 / 80 and the output
/// layer lost round(17 / 80 × 0.5 × 16) = 2 more: 19.
#[test]
fn a_count_with_an_output_rate_prunes_exactly_the_count() {
    let model = mlp(2, &[8, 8], 2, 1);
    let removed = |scope| {
        compute_masks(
            &model,
            &model.masks(),
            &magnitude(scope, Amount::Count(17), 0.5),
            None,
        )
        .unwrap()
        .layer_removed
    };
    let global = removed(Scope::Global);
    assert_eq!((global[0] + global[1], global[2]), (15, 2));
    assert_eq!(removed(Scope::Layer), vec![3, 12, 2]);
}

fn array2(v: &serde_json::Value) -> Array2<f32> {
    let rows: Vec<Vec<f32>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(r, c)| rows[r][c])
}

/// Masks computed by `torch.nn.utils.prune` (torch 2.15; tests/fixtures/torch_prune_cases.py wrote
/// them, its header says how each call maps onto ours): l1_unstructured layer by layer, global
/// unstructured and ln_structured (dim 0: output rows, i.e. our hidden neurons), with float
/// amounts whose products end in .5 and with int amounts. Our planner gives the same masks.
#[test]
fn torch_fixed_cases_give_the_same_masks() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/torch_prune_cases.json")).unwrap();
    assert!(doc["torch_version"].as_str().unwrap().starts_with("2."));
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let widths: Vec<usize> = case["widths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap() as usize)
            .collect();
        let last = widths.len() - 1;
        let mut model = mlp(widths[0], &widths[1..last], widths[last], 0);
        let weights: Vec<Array2<f32>> = case["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(array2)
            .collect();
        let torch: Vec<Array2<f32>> = case["masks"]
            .as_array()
            .unwrap()
            .iter()
            .map(array2)
            .collect();
        let params: Vec<LayerParams> = weights
            .iter()
            .map(|w| LayerParams {
                weight: w.clone(),
                bias: Array1::zeros(w.nrows()),
            })
            .collect();
        model.set_params(&params).unwrap();
        let amount = match case["amount"].as_u64() {
            Some(n) => Amount::Count(n as usize),
            None => Amount::Fraction(case["amount"].as_f64().unwrap()),
        };
        let ours = |s: PruneSpec| compute_masks(&model, &model.masks(), &s, None).unwrap();
        match case["call"].as_str().unwrap() {
            "l1_unstructured" => {
                let plan = ours(magnitude(Scope::Layer, amount, 1.0));
                assert_eq!(weights_of(&plan), torch.as_slice(), "{name}");
            }
            "global_unstructured" => {
                let plan = ours(magnitude(Scope::Global, amount, 1.0));
                assert_eq!(weights_of(&plan), torch.as_slice(), "{name}");
            }
            "ln_structured" => {
                let p = match &case["n"] {
                    serde_json::Value::String(s) if s == "inf" => f64::INFINITY,
                    n => n.as_f64().unwrap(),
                };
                let keep: Vec<Vec<usize>> = torch[..last - 1]
                    .iter()
                    .map(|m| {
                        (0..m.nrows())
                            .filter(|&r| m.row(r).iter().any(|&v| v != 0.0))
                            .collect()
                    })
                    .collect();
                // Raw norms are torch's; the fan-in normalized ones rank a layer alike.
                for score in [Score::LpRaw(p), Score::Lp(p)] {
                    let plan = ours(spec(Structure::Neurons, score, Scope::Layer, amount, 1.0));
                    assert_eq!(plan.selection, Selection::Neurons(keep.clone()), "{name}");
                }
            }
            other => panic!("unknown call {other}"),
        }
    }
}

/// A 2-8-8-2 network (96 weights) on 64 training points, batches of 16: 4 steps per epoch.
fn circle_experiment() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "circle".into(),
            samples: 128,
            train_fraction: 0.5,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        batch_size: 16,
        ..ExperimentConfig::default()
    })
    .unwrap()
}

/// Gradual pruning from 0 to 0.75 sparsity, due at steps 0, 10 and 20, ranked globally with the
/// output layer alike: s(10) = 0.75 − 0.75 × (1 − ½)³ = 0.65625 (96 × 0.34375 = 33 weights
/// alive), s(20) = 0.75 (24 alive). A run of exactly `end_step` = 20 steps must end at 24 — by
/// steps or by epochs — and the last epoch's metrics must be those of the pruned model. Before,
/// the pruning "at step 20" waited for a 21st step, and 20 steps ended at 33.
#[test]
fn a_run_of_exactly_end_step_steps_ends_at_the_final_sparsity() {
    let gradual = GradualConfig {
        initial_sparsity: 0.0,
        final_sparsity: 0.75,
        begin_step: 0,
        end_step: 20,
        frequency: 10,
        ..GradualConfig::default()
    }
    .plan()
    .unwrap();
    let mut exp = circle_experiment();
    assert_eq!(exp.model.n_weights(), 96);
    exp.gradual = Some(gradual.clone());
    exp.train_steps(10).unwrap();
    assert_eq!(exp.model.n_alive(), 33, "after the pruning at step 10");
    exp.train_steps(10).unwrap();
    assert_eq!(exp.trainer.step(), 20);
    assert_eq!(exp.model.n_alive(), 24, "after exactly end_step steps");

    let mut exp = circle_experiment();
    exp.gradual = Some(gradual);
    exp.train(5).unwrap(); // 5 epochs × 4 steps = end_step
    assert_eq!(exp.trainer.step(), 20);
    assert_eq!(exp.model.n_alive(), 24);
    let last = *exp.history.last().unwrap();
    assert_eq!(last, exp.trainer.metrics(&exp.model, &exp.data));
    // Nothing more to prune after the end.
    exp.train(1).unwrap();
    assert_eq!(exp.model.n_alive(), 24);
}

/// A 1-4-2-1 network. Hidden layer 0 (fan-in 1) has rows [0.5], [0.65], [0.7], [0.8]; hidden
/// layer 1 (fan-in 4) has rows [0.5; 4] and [0.3; 4]. Global neuron pruning at 0.5 takes 3 of the
/// 6 hidden neurons.
/// - Raw L1 norms: 0.5, 0.65, 0.7, 0.8 | 2.0, 1.2: the three lowest are all in layer 0 (keep
///   [3] and [0, 1]): the short rows lose only because they are short.
/// - Normalized (`magnitude`, ‖w‖₁ / √n): 0.5, 0.65, 0.7, 0.8 | 1.0, 0.6: the lowest are 0.5 and
///   0.65 of layer 0 and 0.6 of layer 1 (keep [2, 3] and [0]).
#[test]
fn global_neuron_ranking_is_fan_in_fair_by_default() {
    let mut model = mlp(1, &[4, 2], 1, 1);
    let l0 = [0.5, 0.65, 0.7, 0.8];
    let l1 = [0.5, 0.3];
    set_weights(
        &mut model,
        |l, r, _| match l {
            0 => l0[r],
            1 => l1[r],
            _ => 1.0,
        },
        0.0,
    );
    let keep = |score| {
        compute_masks(
            &model,
            &model.masks(),
            &spec(
                Structure::Neurons,
                score,
                Scope::Global,
                Amount::Fraction(0.5),
                1.0,
            ),
            None,
        )
        .unwrap()
        .selection
    };
    assert_eq!(
        keep(Score::LpRaw(1.0)),
        Selection::Neurons(vec![vec![3], vec![0, 1]])
    );
    assert_eq!(
        keep(Score::Magnitude),
        Selection::Neurons(vec![vec![2, 3], vec![0]])
    );
    assert_eq!(keep(Score::Lp(1.0)), keep(Score::Magnitude));
    assert_eq!(PruneSpec::default().score, Score::Magnitude);
}

/// SNIP on a 2-3-2 tanh network with given weights and biases, on a batch of four, the mean
/// cross-entropy: |w · ∂L/∂w| as torch 2.15 computes it (`(W * W.grad).abs()` after
/// `F.cross_entropy(torch.tanh(x @ W0.T + b0) @ W1.T + b1, y).backward()`).
#[test]
fn snip_scores_match_torch_on_a_tiny_model_and_batch() {
    let mut model = mlp(2, &[3], 2, 0);
    let w0 = [[0.5, -0.25], [0.75, 0.125], [-0.5, 1.0]];
    let w1 = [[1.0, -0.5, 0.25], [-0.75, 0.5, 1.5]];
    model
        .set_params(&[
            LayerParams {
                weight: Array2::from_shape_fn((3, 2), |(r, c)| w0[r][c]),
                bias: Array1::from(vec![0.1, -0.2, 0.0]),
            },
            LayerParams {
                weight: Array2::from_shape_fn((2, 3), |(r, c)| w1[r][c]),
                bias: Array1::from(vec![0.0, 0.3]),
            },
        ])
        .unwrap();
    let x = ndarray::array![[1.0f32, 2.0], [-1.0, 0.5], [0.25, -1.5], [2.0, 1.0]];
    let y = [0, 1, 1, 0];
    let ctx = ScoreContext {
        x: x.view(),
        y: &y,
        loss: Loss::CrossEntropy,
    };
    let torch: [Vec<Vec<f32>>; 2] = [
        vec![
            vec![0.301_521_2, 0.311_552_08],
            vec![0.108_801_56, 0.071_776_72],
            vec![0.187_615_74, 0.299_458_77],
        ],
        vec![
            vec![0.013_248_022, 0.167_038_5, 0.090_714_8],
            vec![0.009_936_021, 0.167_038_5, 0.544_288_75],
        ],
    ];
    let Scores::Weights(s) = scores(
        &model,
        &model.masks(),
        Score::Snip,
        Structure::Weights,
        0,
        Some(&ctx),
    )
    .unwrap() else {
        panic!("weight scores")
    };
    for (l, t) in torch.iter().enumerate() {
        for (r, row) in t.iter().enumerate() {
            for (c, &want) in row.iter().enumerate() {
                let got = s[l][(r, c)];
                assert!(
                    (got - want).abs() < 1e-5,
                    "layer {l} ({r}, {c}): {got} vs {want}"
                );
            }
        }
    }
}

/// Pruning at initialization: before any training, `Experiment::prune` scores SNIP on one
/// mini-batch, the first batch (16 rows) of the seeded order the first optimizer step will use,
/// as Lee et al. do; not on the whole training set (which is what it did before, and which ranks
/// differently here).
#[test]
fn snip_before_training_scores_the_first_mini_batch() {
    let exp = circle_experiment();
    let spec = PruneConfig {
        score: "snip".into(),
        fraction: Some(0.5),
        ..PruneConfig::default()
    }
    .spec()
    .unwrap();
    let order = exp.trainer.epoch_order(exp.data.x_train.nrows());
    let first = &order[..16];
    let x = exp.data.x_train.select(Axis(0), first);
    let y: Vec<usize> = first.iter().map(|&i| exp.data.y_train[i]).collect();
    let batch = ScoreContext {
        x: x.view(),
        y: &y,
        loss: Loss::CrossEntropy,
    };
    let expected = compute_masks(&exp.model, &exp.model.masks(), &spec, Some(&batch)).unwrap();
    let everything = ScoreContext {
        x: exp.data.x_train.view(),
        y: &exp.data.y_train,
        loss: Loss::CrossEntropy,
    };
    let whole_set =
        compute_masks(&exp.model, &exp.model.masks(), &spec, Some(&everything)).unwrap();
    assert_ne!(
        expected.selection, whole_set.selection,
        "a model where the batch matters"
    );

    let mut pruned = exp.clone();
    assert!(pruned.history.is_empty() && pruned.trainer.step() == 0);
    let report = pruned.prune(&spec).unwrap();
    assert_eq!(report.removed, 48);
    assert_eq!(Selection::Weights(pruned.model.masks()), expected.selection);
    // Peeking at the batch drew nothing: training on takes the steps it would have taken.
    let mut masked = exp.clone();
    masked.model.set_masks(weights_of(&expected)).unwrap();
    masked.train_steps(8).unwrap();
    pruned.train_steps(8).unwrap();
    assert_eq!(pruned.model, masked.model);
    assert!(Score::Snip.prunes_untrained() && Score::Random.prunes_untrained());
    assert!(Score::Grasp.prunes_untrained() && Score::Magnitude.prunes_untrained());
    assert!(!Score::Lp(2.0).prunes_untrained() && !Score::LpRaw(1.0).prunes_untrained());
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// `train --prune-at-init 0.5` prunes the untrained 2-8-8-2 network with SNIP (48 of 96 weights)
/// and then trains it; a norm, which at θ₀ adds nothing to magnitude, is refused with a message
/// saying why.
#[test]
fn the_cli_prunes_at_initialization_with_scores_of_theta0_only() {
    let out = cli(&["train", "--epochs", "1", "--prune-at-init", "0.5"]);
    let text = stdout_of(&out);
    assert!(
        text.starts_with(
            "pruned 48 of 96 weights before training (snip, global, on the first mini-batch of 10)"
        ),
        "{text}"
    );
    assert!(text.contains("epoch    1"), "{text}");
    let out = cli(&[
        "train",
        "--epochs",
        "1",
        "--prune-at-init",
        "0.5",
        "--prune-score",
        "random",
    ]);
    assert!(stdout_of(&out).starts_with("pruned 48 of 96 weights before training (random"));
    let out = cli(&["train", "--prune-at-init", "0.5", "--prune-score", "lp:2"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--prune-score lp:2: only snip, grasp (on one mini-batch), synflow (data-free), magnitude or random can prune before training"),
        "{err}"
    );
}

/// The issue's two cases through the CLI, on a saved 2-8-8-2 model (layers of 16, 64, 16):
/// `prune --count 17 --output-rate 0.5` prunes 17 (it pruned 19), and `--fraction 0.15625
/// --scope layer` prunes 2 + 10 + 2 = 14 as torch (it pruned 3 + 10 + 3 = 16).
#[test]
fn the_cli_prunes_exact_counts() {
    let dir = std::env::temp_dir().join(format!("pp-prune-counts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.safetensors");
    let out_file = dir.join("p.safetensors");
    let (m, o) = (model.to_str().unwrap(), out_file.to_str().unwrap());
    stdout_of(&cli(&["train", "--epochs", "0", "--save", m]));
    let text = stdout_of(&cli(&[
        "prune",
        "--model",
        m,
        "--count",
        "17",
        "--output-rate",
        "0.5",
        "--out",
        o,
    ]));
    assert!(text.starts_with("pruned 17 weights: 79 remain"), "{text}");
    let text = stdout_of(&cli(&[
        "prune",
        "--model",
        m,
        "--fraction",
        "0.15625",
        "--scope",
        "layer",
        "--out",
        o,
    ]));
    assert!(text.starts_with("pruned 14 weights: 82 remain"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
