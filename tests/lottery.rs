//! The lottery runner: levels, resets, controls, and the Frankle & Carbin result on MNIST-1D.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig, LotteryConfig};
use pruning_playground::lottery::{Branch, LevelResult, LotteryRunner, Role};
use pruning_playground::model::Mlp;
use pruning_playground::train::Trainer;

fn circle() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "circle".into(),
            samples: 200,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        learning_rate: 0.03,
        rewind_step: Some(5),
        ..ExperimentConfig::default()
    })
    .unwrap()
}

fn runner(exp: &Experiment, cfg: LotteryConfig) -> LotteryRunner {
    exp.lottery(cfg.spec().unwrap()).unwrap()
}

/// Steps until the next (branch, level) has been prepared (pruned and reset, not yet trained);
/// returns a copy of its starting model.
fn next_start(r: &mut LotteryRunner) -> Option<(Branch, usize, Mlp)> {
    while !r.finished() {
        let p = r.step().unwrap();
        if p.epoch == 0 && !p.finished {
            return Some((p.branch, p.level, r.current_model().unwrap().clone()));
        }
    }
    None
}

#[test]
fn every_branch_runs_every_level_at_the_same_density() {
    let exp = circle();
    let mut r = runner(
        &exp,
        LotteryConfig {
            levels: 3,
            epochs: 2,
            controls: vec!["random-reinit".into(), "random-mask".into()],
            ..LotteryConfig::default()
        },
    );
    let total = r.epochs_total();
    let results = r.run().unwrap().to_vec();
    assert_eq!(total, (1 + 3 * 3) * 2);
    assert_eq!(results.len(), 1 + 3 * 3);
    for level in 1..=3 {
        let at: Vec<&LevelResult> = results.iter().filter(|x| x.level == level).collect();
        assert_eq!(at.len(), 3);
        for x in &at {
            assert_eq!(
                x.layer_density, at[0].layer_density,
                "level {level}: {:?}",
                x.branch
            );
            assert_eq!(x.epochs.len(), 2);
        }
    }
    let ticket: Vec<f64> = results
        .iter()
        .filter(|x| x.branch == Branch::Ticket)
        .map(|x| x.density)
        .collect();
    assert!(
        ticket.windows(2).all(|w| w[1] < w[0]),
        "density must fall each level: {ticket:?}"
    );
    // The mask analysis belongs to the ticket's pruned levels only.
    for x in &results {
        assert_eq!(
            x.mask_analysis.is_some(),
            x.branch == Branch::Ticket && x.level > 0,
            "{:?} level {}",
            x.branch,
            x.level
        );
    }
}

#[test]
fn the_ticket_is_rewound_to_theta_zero_and_controls_copy_its_mask() {
    let exp = circle();
    let theta0 = exp.model.params();
    let mut r = runner(
        &exp,
        LotteryConfig {
            levels: 1,
            epochs: 2,
            controls: vec!["random-reinit".into(), "random-mask".into()],
            ..LotteryConfig::default()
        },
    );
    let (b0, l0, dense) = next_start(&mut r).unwrap();
    assert_eq!((b0, l0), (Branch::Ticket, 0));
    assert_eq!(dense.params(), theta0, "level 0 starts at θ₀");
    let (b1, l1, ticket) = next_start(&mut r).unwrap();
    assert_eq!((b1, l1), (Branch::Ticket, 1));
    assert!(ticket.density() < 1.0);
    for ((d, p0), mask) in ticket.layers().iter().zip(&theta0).zip(ticket.masks()) {
        for ((w, w0), m) in d.weight().iter().zip(&p0.weight).zip(&mask) {
            assert_eq!(*w, if *m == 1.0 { *w0 } else { 0.0 });
        }
    }
    let (b2, _, reinit) = next_start(&mut r).unwrap();
    assert_eq!(b2, Branch::RandomReinit);
    assert_eq!(
        reinit.masks(),
        ticket.masks(),
        "random-reinit keeps the ticket's mask"
    );
    assert_ne!(reinit.params(), ticket.params(), "…with new weights");
    let (b3, _, random) = next_start(&mut r).unwrap();
    assert_eq!(b3, Branch::RandomMask);
    assert_eq!(random.layer_density(), ticket.layer_density());
    assert_ne!(
        random.masks(),
        ticket.masks(),
        "random-mask draws another mask"
    );
}

#[test]
fn keep_fine_tunes_the_trained_weights_and_step_k_rewinds_to_step_k() {
    let exp = circle();
    for init in ["keep", "step:5", "reinit"] {
        let mut r = runner(
            &exp,
            LotteryConfig {
                levels: 1,
                epochs: 2,
                controls: vec![],
                init: init.into(),
                ..LotteryConfig::default()
            },
        );
        next_start(&mut r).unwrap();
        let (_, level, start) = next_start(&mut r).unwrap();
        assert_eq!(level, 1);
        let trained = r.ticket().unwrap().clone();
        let expected = match init {
            "keep" => trained.params(),
            "step:5" => trained
                .rewind_point()
                .map(|(k, p)| {
                    assert_eq!(k, 5);
                    p.to_vec()
                })
                .unwrap(),
            _ => {
                assert_ne!(start.params()[0].weight, trained.params()[0].weight);
                assert_ne!(start.params()[0].weight, exp.model.params()[0].weight);
                continue;
            }
        };
        for ((d, p), m) in start.layers().iter().zip(&expected).zip(start.masks()) {
            for ((w, e), m) in d.weight().iter().zip(&p.weight).zip(&m) {
                assert_eq!(*w, if *m == 1.0 { *e } else { 0.0 }, "{init}");
            }
        }
    }
}

#[test]
fn structured_lottery_removes_neurons_level_by_level() {
    let exp = circle();
    let mut r = runner(
        &exp,
        LotteryConfig {
            levels: 2,
            epochs: 1,
            fraction: 0.25,
            structure: "neurons".into(),
            controls: vec!["random-reinit".into(), "random-mask".into()],
            ..LotteryConfig::default()
        },
    );
    let results = r.run().unwrap().to_vec();
    let ticket = r.ticket().unwrap();
    let w = ticket.widths();
    // Global ranking over 16 hidden neurons: round(0.25·16) = 4, then round(0.25·12) = 3 removed.
    assert_eq!(w[1] + w[2], 16 - 4 - 3, "widths {w:?}");
    assert_eq!((w[0], w[3]), (2, 2), "inputs and outputs are never removed");
    for level in 1..=2 {
        let d: Vec<f64> = results
            .iter()
            .filter(|x| x.level == level)
            .map(|x| x.density)
            .collect();
        assert!(d.iter().all(|&x| x == d[0]), "level {level}: {d:?}");
    }
}

/// Runs `cfg` as a ticket runner and a controls runner side by side — the controls are fed each
/// ticket structure as soon as it is pruned, and step in turn with the ticket, as two workers
/// would — and merges the results.
fn split_run(exp: &Experiment, cfg: &LotteryConfig) -> Vec<LevelResult> {
    let spec = cfg.spec().unwrap();
    let mut ticket = exp.lottery_part(spec.clone(), Role::Ticket).unwrap();
    let mut controls = exp.lottery_part(spec, Role::Controls).unwrap();
    assert_eq!(
        ticket.epochs_total() + controls.epochs_total(),
        runner(exp, cfg.clone()).epochs_total()
    );
    let mut fed = 0;
    while !(ticket.finished() && controls.finished()) {
        if !ticket.finished() {
            ticket.step().unwrap();
        }
        if let Some(t) = ticket.ticket_structure().filter(|t| t.level > fed) {
            fed = t.level;
            controls.feed_ticket(&t).unwrap();
        }
        if controls.has_work() {
            controls.step().unwrap();
        }
    }
    // A level out of order is refused and changes nothing.
    if let Some(t) = ticket.ticket_structure() {
        let before = controls.results().to_vec();
        let err = controls.feed_ticket(&t).unwrap_err().to_string();
        assert!(err.contains("expected the ticket of level"), "{err}");
        assert_eq!(controls.results(), &before[..]);
        assert!(
            ticket.feed_ticket(&t).is_err(),
            "a ticket runner is not fed"
        );
    }
    let c = controls.results().to_vec();
    assert!(c.iter().all(|r| r.branch != Branch::Ticket));
    ticket.absorb(c);
    ticket.results().to_vec()
}

/// Splitting an experiment into a ticket runner and a controls runner gives exactly the results
/// of one runner — every metric of every epoch, the mask analyses, the order — for unstructured and
/// structured pruning, both controls, and each reset.
#[test]
fn ticket_and_controls_run_apart_give_the_same_results() {
    let exp = circle();
    for (structure, init, controls) in [
        ("weights", "init", vec!["random-reinit", "random-mask"]),
        ("neurons", "init", vec!["random-mask", "random-reinit"]),
        ("weights", "step:5", vec!["random-reinit"]),
        ("weights", "step:13", vec!["random-mask", "random-reinit"]),
        ("neurons", "step:13", vec!["random-mask"]),
        ("neurons", "keep", vec!["random-reinit"]),
        ("weights", "keep", vec!["random-mask"]),
        ("weights", "init", vec![]),
    ] {
        let cfg = LotteryConfig {
            levels: 3,
            epochs: 2,
            fraction: 0.3,
            structure: structure.into(),
            init: init.into(),
            controls: controls.iter().map(|c| c.to_string()).collect(),
            ..LotteryConfig::default()
        };
        let whole = runner(&exp, cfg.clone()).run().unwrap().to_vec();
        assert_eq!(whole.len(), 1 + 3 * (1 + controls.len()));
        let split = split_run(&exp, &cfg);
        assert_eq!(split, whole, "{structure} {init} {controls:?}");
    }
}

#[test]
fn a_same_seed_lottery_is_reproducible() {
    let cfg = LotteryConfig {
        levels: 2,
        epochs: 2,
        controls: vec!["random-mask".into()],
        ..LotteryConfig::default()
    };
    let a = runner(&circle(), cfg.clone()).run().unwrap().to_vec();
    let b = runner(&circle(), cfg).run().unwrap().to_vec();
    assert_eq!(a, b);
}

#[test]
fn invalid_lottery_settings_name_the_field() {
    for (cfg, field) in [
        (
            LotteryConfig {
                init: "rewind".into(),
                ..LotteryConfig::default()
            },
            "init",
        ),
        (
            LotteryConfig {
                controls: vec!["shuffle".into()],
                ..LotteryConfig::default()
            },
            "controls",
        ),
        (
            LotteryConfig {
                levels: 1000,
                ..LotteryConfig::default()
            },
            "levels",
        ),
        (
            LotteryConfig {
                epochs: 0,
                ..LotteryConfig::default()
            },
            "epochs",
        ),
        (
            LotteryConfig {
                fraction: 1.5,
                ..LotteryConfig::default()
            },
            "fraction",
        ),
        (
            LotteryConfig {
                score: "weight".into(),
                ..LotteryConfig::default()
            },
            "score",
        ),
    ] {
        let err = cfg.spec().unwrap_err().to_string();
        assert!(err.contains(field), "{err} should name {field}");
    }
}

/// Frankle & Carbin's result on MNIST-1D, in the setting of the issue: 40-100-100-10 relu,
/// Adam 1e-3, batch 100, 20% of the remaining weights pruned globally per level (output layer at
/// half the rate), 20 epochs per level, survivors rewound to θ₀.
///
/// What must hold: at some level with density ≤ 25% the ticket's best test accuracy is within
/// 1.5 points of the dense network's, and at every level with density ≤ 20% the ticket beats the
/// random-reinit control (same mask, fresh weights) by at least 3 points.
#[test]
fn mnist1d_winning_tickets_hold_accuracy_where_random_reinit_falls() {
    let exp = Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "mnist1d".into(),
            ..DataConfig::default()
        },
        hidden: vec![100, 100],
        activation: "relu".into(),
        optimizer: "adam".into(),
        learning_rate: 1e-3,
        batch_size: 100,
        seed: 0,
        ..ExperimentConfig::default()
    })
    .unwrap();
    let mut r = runner(
        &exp,
        LotteryConfig {
            levels: 9,
            fraction: 0.2,
            scope: "global".into(),
            output_rate: 0.5,
            init: "init".into(),
            controls: vec!["random-reinit".into()],
            epochs: 20,
            seed: 0,
            ..LotteryConfig::default()
        },
    );
    let results = r.run().unwrap().to_vec();
    let dense = results[0].early_stop_test_accuracy.unwrap();
    let at = |branch: Branch, level: usize| {
        results
            .iter()
            .find(|x| x.branch == branch && x.level == level)
            .unwrap()
    };
    println!("dense early-stopping test accuracy {:.1}%", 100.0 * dense);
    for level in 1..=9 {
        let (t, c) = (at(Branch::Ticket, level), at(Branch::RandomReinit, level));
        println!(
            "level {level}: density {:.1}%  ticket {:.1}%  random-reinit {:.1}%",
            100.0 * t.density,
            100.0 * t.early_stop_test_accuracy.unwrap(),
            100.0 * c.early_stop_test_accuracy.unwrap()
        );
    }
    let holds = results.iter().any(|x| {
        x.branch == Branch::Ticket
            && x.density <= 0.25
            && x.early_stop_test_accuracy.unwrap() >= dense - 0.015
    });
    assert!(
        holds,
        "no ticket at density ≤ 25% came within 1.5 points of dense {dense}"
    );
    for level in 1..=9 {
        let (t, c) = (at(Branch::Ticket, level), at(Branch::RandomReinit, level));
        if t.density <= 0.2 {
            assert!(
                t.early_stop_test_accuracy.unwrap() >= c.early_stop_test_accuracy.unwrap() + 0.03,
                "level {level} (density {}): ticket {} vs random reinit {}",
                t.density,
                t.early_stop_test_accuracy.unwrap(),
                c.early_stop_test_accuracy.unwrap()
            );
        }
    }
}

/// The data order a trainer is at: its step, and the rows of the current (or next) epoch with
/// how many of them are used.
fn position(t: &Trainer, n: usize) -> (u64, Vec<usize>, usize) {
    (t.step(), t.epoch_order(n), t.epoch_cursor(n))
}

/// Late rewinding as OpenLTH (Frankle et al. 2020) defines it: after rewinding to step k, every
/// branch of a level (the ticket and both controls) retrains the remaining T − k steps of the
/// dense run's T, over the dense run's batches of steps k, k + 1, …, T − 1. The trainer's data
/// order is checked at the level's start and at every epoch boundary against a dense trainer
/// taken through the same steps (an epoch's order and the cursor pin every batch).
#[test]
fn late_rewinding_trains_the_remaining_steps_over_the_dense_runs_batches() {
    let exp = circle();
    let n = exp.data.x_train.nrows();
    let per_epoch = n.div_ceil(exp.config.batch_size) as u64;
    let (epochs, k) = (3usize, 13u64);
    assert!(k % per_epoch != 0, "k lies inside an epoch");
    let total = epochs as u64 * per_epoch;
    // The dense run's position before every step 0..T.
    let mut dense = Trainer::new(exp.config.train_config().unwrap()).unwrap();
    let mut scratch = exp.model.clone();
    let mut dense_at = Vec::new();
    for _ in 0..total {
        dense_at.push(position(&dense, n));
        dense.train_steps(&mut scratch, &exp.data, 1).unwrap();
    }
    let mut r = runner(
        &exp,
        LotteryConfig {
            levels: 1,
            epochs,
            init: format!("step:{k}"),
            controls: vec!["random-reinit".into(), "random-mask".into()],
            ..LotteryConfig::default()
        },
    );
    let mut seen = 0;
    while !r.finished() {
        if let Some(t) = r.current_trainer() {
            let step = t.step();
            if step < total {
                assert_eq!(position(t, n), dense_at[step as usize], "at step {step}");
            }
        }
        let p = r.step().unwrap();
        if p.epoch == 0 && p.level == 1 && !p.finished {
            // Just prepared: a fresh trainer at step k (level 0 started at step 0).
            assert_eq!(r.current_trainer().unwrap().step(), k, "{:?}", p.branch);
            seen += 1;
        }
    }
    assert_eq!(seen, 3, "the ticket and both controls");
    for res in r.results().iter().filter(|x| x.level == 1) {
        let steps: Vec<u64> = res.epochs.iter().map(|m| m.step).collect();
        // The first epoch is the rest of the one step k lies in; the last ends at T.
        let first_end = (k / per_epoch + 1) * per_epoch;
        let expected: Vec<u64> = (first_end..=total).step_by(per_epoch as usize).collect();
        assert_eq!(steps, expected, "{:?}", res.branch);
        assert_eq!(res.epochs[0].epoch as u64, k / per_epoch + 1);
        assert_eq!(res.epochs.last().unwrap().epoch, epochs);
    }
    let level0 = &r.results()[0];
    assert_eq!(level0.epochs.len(), epochs);
    assert_eq!(level0.epochs.last().unwrap().step, total);
}

/// The random-mask control starts where the ticket does: after rewinding to step k, its
/// surviving weights are θ_k, the dense run's weights after step k (0 where masked); with
/// `init`, θ₀.
#[test]
fn the_random_mask_control_starts_from_the_tickets_rewind_point() {
    let exp = circle();
    for init in ["step:13", "init"] {
        let mut r = runner(
            &exp,
            LotteryConfig {
                levels: 1,
                epochs: 3,
                init: init.into(),
                controls: vec!["random-mask".into()],
                ..LotteryConfig::default()
            },
        );
        next_start(&mut r).unwrap();
        let (b, _, ticket) = next_start(&mut r).unwrap();
        assert_eq!(b, Branch::Ticket);
        let expected = match init {
            "init" => exp.model.params(),
            _ => r.ticket().unwrap().rewind_point().unwrap().1.to_vec(),
        };
        let (b, _, random) = next_start(&mut r).unwrap();
        assert_eq!(b, Branch::RandomMask);
        assert_ne!(random.masks(), ticket.masks());
        for ((d, p), m) in random.layers().iter().zip(&expected).zip(random.masks()) {
            for ((w, e), m) in d.weight().iter().zip(&p.weight).zip(&m) {
                assert_eq!(*w, if *m == 1.0 { *e } else { 0.0 }, "{init}");
            }
            assert_eq!(d.bias().to_vec(), p.bias.to_vec(), "{init}: biases");
        }
    }
}

/// Early stopping reads the validation split, never the test set: each level reports the epoch
/// of least validation loss (the first on ties), the step there and the test accuracy there;
/// without a validation split there is no early-stopping number.
#[test]
fn early_stopping_picks_the_epoch_of_least_validation_loss() {
    for validation in [0.1, 0.0] {
        let exp = Experiment::new(ExperimentConfig {
            dataset: DataConfig {
                kind: "circle".into(),
                samples: 200,
                validation,
                ..DataConfig::default()
            },
            hidden: vec![8, 8],
            learning_rate: 0.03,
            ..ExperimentConfig::default()
        })
        .unwrap();
        assert_eq!(exp.data.y_val.len(), (100.0 * validation).round() as usize);
        let results = runner(
            &exp,
            LotteryConfig {
                levels: 2,
                epochs: 6,
                controls: vec!["random-reinit".into()],
                ..LotteryConfig::default()
            },
        )
        .run()
        .unwrap()
        .to_vec();
        for res in &results {
            if validation == 0.0 {
                assert!(res.epochs.iter().all(|m| m.val_loss.is_none()));
                assert_eq!(res.early_stop_epoch, None);
                assert_eq!(res.early_stop_test_accuracy, None);
                continue;
            }
            let losses: Vec<f64> = res.epochs.iter().map(|m| m.val_loss.unwrap()).collect();
            let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
            let i = losses.iter().position(|&l| l == min).unwrap();
            assert_eq!(res.early_stop_epoch, Some(res.epochs[i].epoch));
            assert_eq!(res.early_stop_step, Some(res.epochs[i].step));
            assert_eq!(
                res.early_stop_test_accuracy,
                Some(res.epochs[i].test_accuracy)
            );
            assert_eq!(res.test_accuracy, res.epochs.last().unwrap().test_accuracy);
        }
    }
}
