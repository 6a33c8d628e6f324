//! The experiment layer the CLI and the browser share: gradual pruning driven by training steps,
//! pruning with data-dependent scores, costs, model replacement.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use pruning_playground::experiment::{
    DataConfig, Experiment, ExperimentConfig, GradualConfig, LotteryConfig, PruneConfig,
};
use pruning_playground::lottery::Branch;
use pruning_playground::train::EpochMetrics;

fn moons() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            samples: 400,
            ..DataConfig::default()
        },
        hidden: vec![16, 16],
        ..ExperimentConfig::default()
    })
    .unwrap()
}

#[test]
fn gradual_pruning_reaches_its_final_density_at_the_end_step_and_not_before() {
    let mut exp = moons();
    exp.gradual = Some(
        GradualConfig {
            initial_sparsity: 0.0,
            final_sparsity: 0.75,
            begin_step: 10,
            end_step: 90,
            frequency: 20,
            ..GradualConfig::default()
        }
        .plan()
        .unwrap(),
    );
    let mut densities = Vec::new();
    for _ in 0..12 {
        exp.train_steps(10).unwrap();
        densities.push(exp.model.density());
    }
    // Pruning happens before steps 10, 30, 50, 70 and 90; density only ever falls.
    assert!(densities.windows(2).all(|w| w[1] <= w[0]), "{densities:?}");
    assert!(
        densities[7] > 0.25 + 1e-3,
        "not at the final density before the end: {densities:?}"
    );
    let total: f64 = exp
        .model
        .layers()
        .iter()
        .map(|d| d.weight().len() as f64)
        .sum();
    assert!(
        (exp.model.density() - 0.25).abs() <= 1.0 / total,
        "final {}",
        exp.model.density()
    );
    // Masked weights stayed zero through all the training in between.
    for d in exp.model.layers() {
        assert!(d
            .weight()
            .iter()
            .zip(d.mask())
            .all(|(w, m)| *m == 1.0 || *w == 0.0));
    }
}

#[test]
fn snip_scores_use_the_training_data() {
    let mut exp = moons();
    exp.train(2).unwrap();
    let spec = PruneConfig {
        score: "snip".into(),
        fraction: Some(0.5),
        ..PruneConfig::default()
    }
    .spec()
    .unwrap();
    let report = exp.prune(&spec).unwrap();
    assert_eq!(
        report.removed,
        (0.5f64 * 2.0 * 16.0 + 0.5 * 256.0 + 0.5 * 32.0).round() as usize
    );
}

#[test]
fn costs_show_unstructured_pruning_shrinks_storage_and_structured_shrinks_dense_compute() {
    let mut exp = moons();
    exp.train(1).unwrap();
    let dense = exp.costs();
    assert_eq!(dense.flops_dense, 2 * (2 * 16 + 16 * 16 + 16 * 2));
    exp.prune(
        &PruneConfig {
            fraction: Some(0.8),
            ..PruneConfig::default()
        }
        .spec()
        .unwrap(),
    )
    .unwrap();
    let masked = exp.costs();
    assert_eq!(
        masked.flops_dense, dense.flops_dense,
        "masking leaves the dense work unchanged"
    );
    assert!(masked.flops_sparse < dense.flops_sparse / 4);
    assert!(masked.sparse_bytes < dense.dense_bytes);
    let mut exp = moons();
    exp.prune(
        &PruneConfig {
            structure: "neurons".into(),
            fraction: Some(0.5),
            ..PruneConfig::default()
        }
        .spec()
        .unwrap(),
    )
    .unwrap();
    assert!(
        exp.costs().flops_dense < dense.flops_dense / 2,
        "removing neurons shrinks the dense work"
    );
}

#[test]
fn a_model_that_does_not_fit_the_data_is_refused_and_the_current_one_stays() {
    let mut exp = moons();
    let other = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "digits".into(),
            ..DataConfig::default()
        },
        ..ExperimentConfig::default()
    })
    .unwrap();
    let before = exp.model.clone();
    let err = exp.replace_model(other.model).unwrap_err().to_string();
    assert!(err.contains("64 inputs") || err.contains("inputs"), "{err}");
    assert_eq!(exp.model, before);
}

#[test]
fn neuron_maps_cover_every_neuron_and_refuse_grids_too_large_to_hold() {
    let exp = moons();
    let maps = exp.neuron_maps(20, [-2.0, 3.0], [-2.0, 2.0]).unwrap();
    let widths: Vec<(usize, usize)> = maps.iter().map(|m| m.dim()).collect();
    assert_eq!(widths, vec![(400, 16), (400, 16), (400, 2)]);
    let wide = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "moons".into(),
            ..DataConfig::default()
        },
        hidden: vec![1000, 1000],
        ..ExperimentConfig::default()
    })
    .unwrap();
    let err = wide
        .neuron_maps(512, [-2.0, 3.0], [-2.0, 2.0])
        .unwrap_err()
        .to_string();
    assert!(err.contains("resolution"), "{err}");
    assert!(
        exp.neuron_maps(20, [1.0, 1.0], [-2.0, 2.0]).is_err(),
        "an empty range is refused"
    );
}

/// The wasm config reader (src/wasm/config.rs) reads exactly the keys serde reads: each config's
/// `FIELDS` lists the keys of its serde (JSON) form, in declaration order (serde's order in
/// "unknown field … expected one of" messages).
#[test]
fn config_field_lists_match_the_serde_forms() {
    use pruning_playground::experiment::LotteryConfig;
    fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
        match serde_json::to_value(v).unwrap() {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        }
    }
    let sorted = |f: &[&str]| {
        let mut v: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    // serde_json's map is sorted; the order is checked against the declaration below.
    assert_eq!(keys(&DataConfig::default()), sorted(DataConfig::FIELDS));
    assert_eq!(
        keys(&ExperimentConfig::default()),
        sorted(ExperimentConfig::FIELDS)
    );
    assert_eq!(keys(&PruneConfig::default()), sorted(PruneConfig::FIELDS));
    assert_eq!(
        keys(&LotteryConfig::default()),
        sorted(LotteryConfig::FIELDS)
    );
    assert_eq!(
        keys(&GradualConfig::default()),
        sorted(GradualConfig::FIELDS)
    );
    // Declaration order, as serde lists the fields in its messages.
    let err = serde_json::from_str::<ExperimentConfig>(r#"{"nope": 1}"#).unwrap_err();
    let listed: Vec<String> = ExperimentConfig::FIELDS
        .iter()
        .map(|f| format!("`{f}`"))
        .collect();
    let expected = format!("expected one of {}", listed.join(", "));
    assert!(err.to_string().contains(&expected), "{err}");
}

/// An epoch's numbers without its number (an experiment's history counts epochs across
/// retrainings; a lottery level counts as the dense run does).
fn numbers(m: &EpochMetrics) -> (u64, [f64; 4], Option<f64>, Option<f64>) {
    (
        m.step,
        [m.train_loss, m.test_loss, m.train_accuracy, m.test_accuracy],
        m.val_loss,
        m.val_accuracy,
    )
}

/// The rule "after any prune, rewind or reinit the next training starts with a fresh optimizer
/// and step count": Train → Prune (20%, global) → Rewind → Retrain driven step by step through
/// the experiment API (what the page, the element and the JS API call) gives, bit for bit, the
/// lottery runner's level 1 with the same config — every epoch's metrics and the trained weights.
/// For Adam (moments and bias correction) and momentum, rewinding to θ₀ and to step k.
#[test]
fn train_prune_rewind_retrain_step_by_step_is_the_lottery_level_one() {
    for (optimizer, init, score) in [
        ("adam", "init", "magnitude"),
        ("momentum", "init", "magnitude"),
        ("adam", "step:30", "magnitude"),
        ("adam", "init", "snip"),
        ("adam", "step:30", "snip"),
    ] {
        let k = init
            .strip_prefix("step:")
            .map(|k| k.parse::<u64>().unwrap());
        let config = ExperimentConfig {
            dataset: DataConfig {
                kind: "moons".into(),
                samples: 400,
                ..DataConfig::default()
            },
            hidden: vec![16, 16],
            optimizer: optimizer.into(),
            learning_rate: 0.02,
            rewind_step: k,
            ..ExperimentConfig::default()
        };
        let epochs = 3;
        let lottery = LotteryConfig {
            levels: 1,
            fraction: 0.2,
            scope: "global".into(),
            init: init.into(),
            score: score.into(),
            controls: vec![],
            epochs,
            ..LotteryConfig::default()
        };
        let mut exp = Experiment::new(config).unwrap();
        let mut runner = exp.lottery(lottery.spec().unwrap()).unwrap();
        let results = runner.run().unwrap().to_vec();
        let level1 = results
            .iter()
            .find(|r| r.branch == Branch::Ticket && r.level == 1)
            .unwrap();

        let dense = exp.train(epochs).unwrap();
        assert_eq!(
            dense.iter().map(numbers).collect::<Vec<_>>(),
            results[0].epochs.iter().map(numbers).collect::<Vec<_>>()
        );
        exp.prune(&lottery.spec().unwrap().prune).unwrap();
        match k {
            None => exp.rewind().unwrap(),
            Some(k) => exp.rewind_to(k).unwrap(),
        }
        let mut retrain = Vec::new();
        while exp.trainer.epoch() < epochs {
            retrain.extend(exp.train(1).unwrap());
        }
        assert_eq!(
            retrain.iter().map(numbers).collect::<Vec<_>>(),
            level1.epochs.iter().map(numbers).collect::<Vec<_>>(),
            "{optimizer} {init} {score}"
        );
        assert_eq!(
            exp.model.params(),
            runner.ticket().unwrap().params(),
            "{optimizer} {init} {score}"
        );
        // The history keeps counting epochs across the retraining.
        let n: Vec<usize> = exp.history.iter().map(|m| m.epoch).collect();
        assert_eq!(n, (1..=n.len()).collect::<Vec<_>>());
    }
}

/// Fine-tuning (keep the weights) and reinit follow the same rule: after a prune the trainer is
/// at step 0 with no optimizer state, so two experiments pruned at different points of their
/// training but holding the same weights retrain identically.
#[test]
fn every_weight_change_restarts_the_trainer() {
    let mut a = moons();
    a.train(2).unwrap();
    assert!(a.trainer.step() > 0);
    a.prune(&PruneConfig::default().spec().unwrap()).unwrap();
    assert_eq!((a.trainer.step(), a.trainer.epoch()), (0, 0), "prune");
    a.train(1).unwrap();
    a.reinit(7);
    assert_eq!(a.trainer.step(), 0, "reinit");
    a.train(1).unwrap();
    a.rewind().unwrap();
    assert_eq!(a.trainer.step(), 0, "rewind");
    // Keep: a fresh experiment given the same pruned weights fine-tunes to the same numbers.
    let mut b = moons();
    b.train(2).unwrap();
    b.prune(&PruneConfig::default().spec().unwrap()).unwrap();
    let mut c = moons();
    c.replace_model(b.model.clone()).unwrap();
    let (mb, mc) = (b.train(2).unwrap(), c.train(2).unwrap());
    assert_eq!(
        mb.iter().map(numbers).collect::<Vec<_>>(),
        mc.iter().map(numbers).collect::<Vec<_>>()
    );
    assert_eq!(b.model.params(), c.model.params());
}

/// The page's iterative pruning (`schedule_plan("iterative", …)`) is the lottery runner's levels
/// at the plan's per-round fraction: the same density after every round, ending at the density
/// one-shot pruning of the total fraction would leave (1 − 0.8 = 0.2, up to one weight per layer).
#[test]
fn iterative_plan_prunes_like_the_lottery_levels_and_ends_at_the_one_shot_density() {
    use pruning_playground::prune::{Amount, Schedule, SchedulePlan};
    let mut exp = moons();
    let (total, rounds) = (0.8, 4);
    let SchedulePlan::Iterative(plan) = exp
        .schedule_plan("iterative", total, rounds, 1, None)
        .unwrap()
    else {
        panic!("an iterative plan");
    };
    assert_eq!(plan.len(), rounds);
    let schedule = Schedule::iterative_to(total, rounds);
    let lottery = LotteryConfig {
        levels: rounds,
        fraction: plan[0].amount,
        // Every layer at the same fraction, so the schedule's densities are met exactly.
        output_rate: 1.0,
        controls: vec![],
        epochs: 1,
        ..LotteryConfig::default()
    };
    let levels = exp
        .lottery(lottery.spec().unwrap())
        .unwrap()
        .run()
        .unwrap()
        .to_vec();
    for (level, round) in plan.iter().enumerate() {
        assert_eq!(round.epochs, 1);
        assert_eq!(round.amount, plan[0].amount, "one fraction for every round");
        // The lottery's own pruning settings (scope, output rate) at the round's amount.
        let spec = lottery.spec().unwrap().prune;
        assert_eq!(spec.amount, Amount::Fraction(round.amount));
        exp.prune(&spec).unwrap();
        exp.train(round.epochs).unwrap();
        let ticket = levels
            .iter()
            .find(|r| r.branch == Branch::Ticket && r.level == level + 1)
            .unwrap();
        assert_eq!(exp.model.density(), ticket.density, "round {level}");
        let planned = schedule.density_after(level + 1);
        assert!(
            (exp.model.density() - planned).abs() < 0.01,
            "{} vs {planned}",
            exp.model.density()
        );
    }
    assert!((exp.model.density() - (1.0 - total)).abs() < 0.01);
}

/// The page's gradual pruning starts at the current step and density and reaches
/// density × (1 − fraction) at the start of the last of `rounds × epochs` epochs.
#[test]
fn gradual_plan_starts_where_the_network_is_and_reaches_its_density_before_the_last_epoch() {
    use pruning_playground::prune::SchedulePlan;
    let mut exp = moons();
    exp.train(2).unwrap();
    exp.prune(
        &PruneConfig {
            fraction: Some(0.5),
            ..PruneConfig::default()
        }
        .spec()
        .unwrap(),
    )
    .unwrap();
    exp.train(1).unwrap();
    let (step, density) = (exp.trainer.step(), exp.model.density());
    let steps_per_epoch = exp.trainer.steps_per_epoch(exp.data.x_train.nrows());
    let SchedulePlan::Gradual { gradual, epochs } =
        exp.schedule_plan("gradual", 0.6, 3, 2, None).unwrap()
    else {
        panic!("a gradual plan");
    };
    assert_eq!(epochs, 6);
    assert_eq!(gradual.begin_step, step);
    assert_eq!(
        gradual.end_step,
        step + steps_per_epoch * (epochs as u64 - 1)
    );
    assert_eq!(1.0 - gradual.initial_sparsity, density);
    exp.gradual = Some(
        GradualConfig {
            initial_sparsity: gradual.initial_sparsity,
            final_sparsity: gradual.final_sparsity,
            begin_step: gradual.begin_step,
            end_step: gradual.end_step,
            frequency: gradual.frequency,
            power: gradual.power,
            ..GradualConfig::default()
        }
        .plan()
        .unwrap(),
    );
    exp.train(epochs - 1).unwrap();
    let reached = exp.model.density();
    assert!(
        (reached - density * 0.4).abs() < 0.01,
        "{reached} vs {}",
        density * 0.4
    );
    exp.train(1).unwrap();
    assert_eq!(
        exp.model.density(),
        reached,
        "the last epoch trains at the final density"
    );
}

#[test]
fn schedule_plans_refuse_an_unknown_schedule_and_out_of_range_amounts() {
    let exp = moons();
    for (schedule, fraction, rounds, field) in [
        ("oneshot", 0.5, 3, "schedule"),
        ("iterative", 1.0, 3, "fraction"),
        ("gradual", -0.1, 3, "fraction"),
        ("iterative", 0.5, 0, "rounds"),
    ] {
        match exp.schedule_plan(schedule, fraction, rounds, 1, None) {
            Err(pruning_playground::Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{schedule} {fraction} {rounds}: {other:?}"),
        }
    }
}
