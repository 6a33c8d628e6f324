//! N:M patterns as a prune setting (src/prune/nm.rs, `PruneSpec::pattern`) under every schedule,
//! against hand-computed cases: the keep count of each step (iterative rounds, the lottery's
//! levels, gradual pruning's curve), the masks each step leaves, the spec's checks, and that
//! rewinding, fine-tuning, the controls and a fresh optimizer keep the pattern.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{Array1, Array2};
use pruning_playground::experiment::{
    DataConfig, Experiment, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig,
};
use pruning_playground::lottery::Branch;
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::nm::{keep_at_step, keep_count, satisfies, step_pattern, NM};
use pruning_playground::prune::{self, Gradual, PruneSpec, SchedulePlan, Score, Structure};

const TWO_FOUR: NM = NM { n: 2, m: 4 };

/// Whether every group of `m` in every row of every mask keeps at most `k`.
fn at_most(masks: &[Array2<f32>], k: usize, m: usize) -> bool {
    satisfies(masks, NM { n: k, m })
}

/// Masked weights are exactly 0.
fn masked_are_zero(model: &Mlp) -> bool {
    model.layers().iter().all(|d| {
        d.weight()
            .iter()
            .zip(d.mask())
            .all(|(&w, &m)| m != 0.0 || w == 0.0)
    })
}

/// MNIST-1D (40 inputs) through 16-16: every fan-in a multiple of 4 and of 8.
fn experiment() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "mnist1d".into(),
            samples: 400,
            ..DataConfig::default()
        },
        hidden: vec![16, 16],
        ..ExperimentConfig::default()
    })
    .unwrap()
}

fn pattern_spec(p: NM) -> PruneSpec {
    PruneSpec {
        pattern: Some(p),
        ..PruneSpec::default()
    }
}

/// k_r = m − round((m − n) · r / R), half to even: 2:4 over R = 1…5 rounds, and 4:8 over 3.
#[test]
fn iterative_keep_counts_fall_from_m_to_n_rounding_half_to_even() {
    let counts = |p: NM, rounds: usize| -> Vec<usize> {
        (1..=rounds).map(|r| keep_at_step(p, r, rounds)).collect()
    };
    assert_eq!(counts(TWO_FOUR, 1), vec![2], "one-shot: straight to 2:4");
    assert_eq!(counts(TWO_FOUR, 2), vec![3, 2]);
    // 2/3 → 1, 4/3 → 1, 2.
    assert_eq!(counts(TWO_FOUR, 3), vec![3, 3, 2]);
    // 0.5 → 0 (half to even), 1, 1.5 → 2, 2.
    assert_eq!(counts(TWO_FOUR, 4), vec![4, 3, 2, 2]);
    // 0.4 → 0, 0.8 → 1, 1.2 → 1, 1.6 → 2, 2.
    assert_eq!(counts(TWO_FOUR, 5), vec![4, 3, 3, 2, 2]);
    // 4:8 over 3: 4/3 → 1, 8/3 → 3, 4.
    assert_eq!(counts(NM { n: 4, m: 8 }, 3), vec![7, 5, 4]);
    // 1:4 over 2: 1.5 → 2, 3.
    assert_eq!(counts(NM { n: 1, m: 4 }, 2), vec![2, 1]);
    assert_eq!(
        step_pattern(TWO_FOUR, 1, 4),
        None,
        "a round that keeps 4 of 4"
    );
    assert_eq!(step_pattern(TWO_FOUR, 2, 4), Some(NM { n: 3, m: 4 }));
}

/// Gradual: the keep count follows the progress of the cubic curve, 1 − (1 − t/T)³.
/// Over T = 10 steps: t = 2: 1 − 0.8³ = 0.488, 2 · 0.488 = 0.976 → 1 dropped, keep 3;
/// t = 4: 1 − 0.6³ = 0.784 → 1.568 → 2, keep 2; keep 2 from then on.
#[test]
fn gradual_keep_counts_follow_the_cubic_curve() {
    let g = Gradual {
        initial_sparsity: 0.0,
        final_sparsity: 0.5,
        begin_step: 0,
        end_step: 10,
        frequency: 2,
        power: 3.0,
    };
    let ks: Vec<usize> = (0..=10)
        .step_by(2)
        .map(|t| keep_count(TWO_FOUR, g.progress(t)))
        .collect();
    assert_eq!(ks, vec![4, 3, 2, 2, 2, 2]);
    assert!((g.progress(2) - 0.488).abs() < 1e-12);
    assert_eq!(keep_count(TWO_FOUR, 0.25), 4, "0.5 rounds to 0");
    assert_eq!(keep_count(TWO_FOUR, 0.75), 2, "1.5 rounds to 2");
    assert_eq!(keep_count(TWO_FOUR, 7.0), 2, "never below n");
}

/// One row [.5 −.1 .3 .2] in two rounds: 3:4 drops −.1, then 2:4 drops .2.
#[test]
fn two_rounds_prune_a_row_to_three_then_two_of_four() {
    let mut m = Mlp::new(&MlpSpec {
        inputs: 4,
        hidden: vec![2],
        outputs: 1,
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::KaimingNormal,
        seed: 0,
    })
    .unwrap();
    let mut params: Vec<LayerParams> = m.params();
    params[0]
        .weight
        .row_mut(0)
        .assign(&Array1::from(vec![0.5, -0.1, 0.3, 0.2]));
    m.set_params(&params).unwrap();
    let spec = pattern_spec(TWO_FOUR);
    let row = |m: &Mlp| m.masks()[0].row(0).to_vec();
    prune::prune(&mut m, &spec.at_step(1, 2), None).unwrap();
    assert_eq!(row(&m), vec![1.0, 0.0, 1.0, 1.0]);
    prune::prune(&mut m, &spec.at_step(2, 2), None).unwrap();
    assert_eq!(row(&m), vec![1.0, 0.0, 1.0, 0.0]);
    // Again at the last step: nothing more goes.
    let report = prune::prune(&mut m, &spec.at_step(2, 2), None).unwrap();
    assert_eq!(report.removed, 0);
}

#[test]
fn a_pattern_is_a_setting_named_n_colon_m_and_conflicts_are_refused() {
    let spec: PruneSpec = serde_json::from_str(r#"{"pattern": "2:4"}"#).unwrap();
    assert_eq!(spec.pattern, Some(TWO_FOUR));
    assert!(serde_json::to_string(&spec)
        .unwrap()
        .contains(r#""pattern":"2:4""#));
    let none: PruneSpec = serde_json::from_str("{}").unwrap();
    assert_eq!(none.pattern, None);
    assert!(!serde_json::to_string(&none).unwrap().contains("pattern"));
    assert!(serde_json::from_str::<PruneSpec>(r#"{"pattern": "4:4"}"#).is_err());
    let neurons = PruneSpec {
        structure: Structure::Neurons,
        ..pattern_spec(TWO_FOUR)
    };
    let err = neurons.validate().unwrap_err().to_string();
    assert!(err.contains("pattern") && err.contains("neurons"), "{err}");
    let rated = PruneConfig {
        scope: "layer".into(),
        layer_rates: vec![1.0, 0.0],
        pattern: Some("2:4".into()),
        ..PruneConfig::default()
    };
    let err = rated.spec().unwrap_err().to_string();
    assert!(err.contains("per-layer rates"), "{err}");
    let bad = PruneConfig {
        pattern: Some("5:4".into()),
        ..PruneConfig::default()
    };
    assert!(bad
        .spec()
        .unwrap_err()
        .to_string()
        .contains("invalid pattern: 5:4"));
    // Amount, scope and output rate are not used: every layer lands at exactly 2 of 4.
    let mut exp = experiment();
    exp.train(1).unwrap();
    let cfg = PruneConfig {
        fraction: Some(0.9),
        scope: "global".into(),
        output_rate: 0.0,
        pattern: Some("2:4".into()),
        ..PruneConfig::default()
    };
    exp.prune(&cfg.spec().unwrap()).unwrap();
    assert_eq!(exp.model.layer_density(), vec![0.5, 0.5, 0.5]);
}

/// The page's iterative schedule under 2:4 in 3 rounds: 3:4, 3:4, 2:4, each round's groups at
/// most k alive (exactly k: every fan-in is a multiple of 4), masked weights 0 through the
/// retraining, which starts from a fresh optimizer as after every prune.
#[test]
fn iterative_rounds_reach_the_pattern_in_steps_and_keep_it_through_retraining() {
    let mut exp = experiment();
    exp.train(2).unwrap();
    let SchedulePlan::Iterative(rounds) = exp
        .schedule_plan("iterative", 0.5, 3, 1, Some(TWO_FOUR))
        .unwrap()
    else {
        panic!("an iterative plan")
    };
    let patterns: Vec<Option<NM>> = rounds.iter().map(|r| r.pattern).collect();
    let three = Some(NM { n: 3, m: 4 });
    assert_eq!(patterns, vec![three, three, Some(TWO_FOUR)]);
    assert!(rounds.iter().all(|r| r.amount == 0.0 && r.epochs == 1));
    for (r, k) in rounds.iter().zip([3, 3, 2]) {
        let spec = PruneSpec {
            pattern: r.pattern,
            ..PruneSpec::default()
        };
        exp.prune(&spec).unwrap();
        assert_eq!(exp.trainer.step(), 0, "a fresh trainer after the prune");
        assert!(at_most(&exp.model.masks(), k, 4));
        let want = k as f64 / 4.0;
        assert!(exp.model.layer_density().iter().all(|&d| d == want));
        exp.train(r.epochs).unwrap();
        assert!(at_most(&exp.model.masks(), k, 4) && masked_are_zero(&exp.model));
    }
}

/// Gradual pruning under 2:4: during training the keep count falls along the curve, masks only
/// shrink, and the run ends at exactly 2 of every 4.
#[test]
fn gradual_pruning_lowers_the_keep_count_along_the_curve() {
    let mut exp = experiment();
    exp.train(1).unwrap();
    let steps = exp.trainer.steps_per_epoch(exp.data.x_train.nrows());
    let begin = exp.trainer.step();
    let cfg = GradualConfig {
        initial_sparsity: 0.0,
        final_sparsity: 0.5,
        begin_step: begin,
        end_step: begin + 2 * steps,
        frequency: 3,
        pattern: Some("2:4".into()),
        ..GradualConfig::default()
    };
    let (g, spec) = cfg.plan().unwrap();
    assert_eq!(spec.pattern, Some(TWO_FOUR));
    exp.gradual = Some((g.clone(), spec));
    let mut last = exp.model.masks();
    let mut seen = Vec::new();
    for _ in 0..(3 * steps) {
        exp.train_steps(1).unwrap();
        let k = keep_count(TWO_FOUR, g.progress(exp.trainer.step()));
        let masks = exp.model.masks();
        assert!(at_most(&masks, k.max(2), 4));
        assert!(masks
            .iter()
            .zip(&last)
            .all(|(new, old)| new.iter().zip(old).all(|(&n, &o)| n <= o)));
        assert!(masked_are_zero(&exp.model));
        let d = exp.model.density();
        if seen.last() != Some(&d) {
            seen.push(d);
        }
        last = masks;
    }
    assert_eq!(
        seen,
        vec![1.0, 0.75, 0.5],
        "4 → 3 → 2 per group, each weight-exact"
    );
}

fn lottery(levels: usize, init: &str) -> LotteryConfig {
    LotteryConfig {
        levels,
        epochs: 2,
        pattern: Some("2:4".into()),
        init: init.into(),
        controls: vec!["random-reinit".into(), "random-mask".into()],
        ..LotteryConfig::default()
    }
}

/// The lottery's levels are steps of the same decay: 2:4 over 2 levels is 3:4 then 2:4; over 4
/// levels 4:4 (nothing), 3:4, 2:4, 2:4. Rewinding to θ₀ and fine-tuning both keep the pattern,
/// and the controls share the ticket's densities: the random mask is a random k:m mask.
#[test]
fn lottery_levels_step_down_to_the_pattern_and_every_branch_keeps_it() {
    for (levels, init, want) in [
        (2, "init", vec![1.0, 0.75, 0.5]),
        (2, "keep", vec![1.0, 0.75, 0.5]),
        (4, "init", vec![1.0, 1.0, 0.75, 0.5, 0.5]),
    ] {
        let exp = experiment();
        let spec = lottery(levels, init).spec().unwrap();
        let mut runner = exp.lottery(spec).unwrap();
        let dense = runner.dense().clone();
        while !runner.finished() {
            let p = runner.step().unwrap();
            let Some(model) = runner.current_model().or(runner.last_finished_model()) else {
                continue;
            };
            let k = keep_at_step(TWO_FOUR, p.level, levels);
            let k = if p.level == 0 { 4 } else { k };
            assert!(at_most(&model.masks(), k, 4), "{init}, {:?}", p);
            assert!(masked_are_zero(model));
            if p.epoch == 0 && p.level > 0 && init == "init" && p.branch == Branch::Ticket {
                // Rewound: the survivors are θ₀.
                for (d, d0) in model.layers().iter().zip(dense.layers()) {
                    let want = &d0.weight() * &d.mask();
                    assert_eq!(d.weight(), want.view());
                }
            }
        }
        for b in [Branch::Ticket, Branch::RandomReinit, Branch::RandomMask] {
            let d: Vec<f64> = runner
                .results()
                .iter()
                .filter(|r| r.branch == b || r.level == 0)
                .map(|r| r.density)
                .collect();
            assert_eq!(d, want, "{b:?}, {levels} levels, {init}");
        }
    }
}

/// The random-score control under a pattern: a random k:m mask, the same for the same seed,
/// another for another seed, and not the magnitude mask.
#[test]
fn random_scores_under_a_pattern_draw_a_seeded_random_pattern() {
    let mut exp = experiment();
    exp.train(1).unwrap();
    let masks_for = |score: Score, seed: u64| {
        let spec = PruneSpec {
            score,
            seed,
            ..pattern_spec(TWO_FOUR)
        };
        prune::compute_masks(&exp.model, &exp.model.masks(), &spec, None)
            .unwrap()
            .selection
    };
    let (a, b, c) = (
        masks_for(Score::Random, 1),
        masks_for(Score::Random, 1),
        masks_for(Score::Random, 2),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(a, masks_for(Score::Magnitude, 1));
    let prune::Selection::Weights(m) = a else {
        panic!("weights")
    };
    assert!(satisfies(&m, TWO_FOUR));
    let alive: usize = m
        .iter()
        .map(|m| m.iter().filter(|&&v| v != 0.0).count())
        .sum();
    assert_eq!(alive, exp.model.n_weights() / 2);
}

/// Rewinding to θ₀ after a 2:4 prune keeps the mask; retraining keeps the pattern.
#[test]
fn rewinding_and_retraining_keep_the_pattern() {
    let mut exp = experiment();
    let theta0 = exp.model.params();
    exp.train(2).unwrap();
    exp.prune(&pattern_spec(TWO_FOUR)).unwrap();
    let mask = exp.model.masks();
    exp.rewind().unwrap();
    assert_eq!(exp.model.masks(), mask);
    for (d, p0) in exp.model.layers().iter().zip(&theta0) {
        assert_eq!(d.weight(), (&p0.weight * &d.mask()).view());
    }
    exp.train(2).unwrap();
    assert_eq!(exp.model.masks(), mask);
    assert!(satisfies(&mask, TWO_FOUR) && masked_are_zero(&exp.model));
}

/// `lottery --pattern 2:4` over 2 levels: the ticket at 3:4, then 2:4 (hidden 8-8 on a 2D set:
/// the first layer's rows of 2 inputs are one short group, kept whole). `--fraction` with it is
/// refused by the parser.
#[test]
fn the_cli_lottery_takes_a_pattern() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "lottery",
            "--dataset",
            "moons",
            "--samples",
            "200",
            "--levels",
            "2",
            "--epochs",
            "1",
            "--controls",
            "",
            "--json",
            "--serial",
        ];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_pruning-playground"))
            .args(&args)
            .output()
            .unwrap()
    };
    let out = run(&["--prune-pattern", "2:4"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let layers: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| serde_json::from_value(r["layer_density"].clone()).unwrap())
        .collect();
    assert_eq!(
        layers,
        vec![
            vec![1.0, 1.0, 1.0],
            vec![1.0, 0.75, 0.75],
            vec![1.0, 0.5, 0.5]
        ]
    );
    let out = run(&["--pattern", "2:4", "--fraction", "0.3"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fraction"));
}
