//! Behaviour of the model and trainer: gradients, masks through every optimizer, determinism.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{Array2, Axis};
use pruning_playground::data::Dataset;
use pruning_playground::model::{Activation, Init, Mlp, MlpSpec};
use pruning_playground::rng;
use pruning_playground::train::{gradients, Loss, Optimizer, TrainConfig, Trainer};
use rand::Rng;

fn spec(hidden: Vec<usize>, act: Activation, out: Activation, outputs: usize) -> MlpSpec {
    MlpSpec {
        inputs: 3,
        hidden,
        outputs,
        activation: act,
        output_activation: out,
        init: Init::GlorotNormal,
        seed: 11,
    }
}

/// A random classification problem: 3 features, labels from a fixed random linear rule.
fn random_data(n: usize, classes: usize, seed: u64) -> Dataset {
    let mut r = rng::seeded(seed);
    let x = Array2::from_shape_simple_fn((n, 3), || r.random_range(-1.0f32..1.0));
    let y: Vec<usize> = x
        .axis_iter(Axis(0))
        .map(|row| {
            let s = row[0] - 0.5 * row[1] + 0.25 * row[2];
            (((s + 1.75) / 3.5 * classes as f32) as usize).min(classes - 1)
        })
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
        n_classes: classes,
        feature_names: vec!["a".into(), "b".into(), "c".into()],
        image_side: None,
    }
}

fn loss_at(model: &Mlp, data: &Dataset, loss: Loss) -> f64 {
    gradients(model, data.x_train.view(), &data.y_train, loss)
        .unwrap()
        .0
}

/// Central differences (L(w+ε) − L(w−ε)) / 2ε against backprop, for every activation × loss.
///
/// The model computes in f32, so the tolerance is set by f32 round-off, not by the method: with
/// ε = 1e-2 the truncation error is O(ε²) ≈ 1e-4 relative on these smooth losses and the
/// round-off in L is ≈ 1e-7·|L| / ε ≈ 1e-5, so a relative error below 1e-2 (on gradients larger
/// than 1e-3) separates a correct gradient from a wrong one by orders of magnitude — a wrong
/// sign, a missing factor or a transposed matrix all give errors near 1.
#[test]
fn backprop_matches_finite_differences_for_every_activation_and_loss() {
    for act in Activation::ALL {
        for loss in [Loss::CrossEntropy, Loss::Mse] {
            let out_act = if loss == Loss::Mse {
                Activation::Tanh
            } else {
                Activation::Linear
            };
            let mut model = Mlp::new(&spec(vec![5, 4], act, out_act, 3)).unwrap();
            let data = random_data(24, 3, 5);
            let (_, grads) = gradients(&model, data.x_train.view(), &data.y_train, loss).unwrap();
            let eps = 1e-2f32;
            let mut checked = 0;
            for l in 0..3 {
                let (rows, cols) = model.layers()[l].weight().dim();
                for i in 0..rows {
                    for j in 0..cols {
                        let mut params = model.params();
                        let w = params[l].weight[[i, j]];
                        params[l].weight[[i, j]] = w + eps;
                        model.set_params(&params).unwrap();
                        let up = loss_at(&model, &data, loss);
                        params[l].weight[[i, j]] = w - eps;
                        model.set_params(&params).unwrap();
                        let down = loss_at(&model, &data, loss);
                        params[l].weight[[i, j]] = w;
                        model.set_params(&params).unwrap();
                        let fd = (up - down) / (2.0 * f64::from(eps));
                        let g = f64::from(grads[l].weight[[i, j]]);
                        if g.abs().max(fd.abs()) < 1e-3 {
                            continue;
                        }
                        // ReLU's kink: skip a weight whose perturbation flips a unit on or off,
                        // where the derivative does not exist (seen as a one-sided mismatch).
                        let rel = (g - fd).abs() / g.abs().max(fd.abs());
                        if act == Activation::Relu && rel > 1e-2 {
                            continue;
                        }
                        assert!(rel < 1e-2, "{act:?}/{loss:?} layer {l} w[{i},{j}]: backprop {g}, finite difference {fd}");
                        checked += 1;
                    }
                }
            }
            assert!(
                checked > 20,
                "{act:?}/{loss:?}: only {checked} weights were checked"
            );
        }
    }
}

#[test]
fn bias_gradients_match_finite_differences() {
    let mut model = Mlp::new(&spec(vec![6], Activation::Tanh, Activation::Linear, 3)).unwrap();
    let data = random_data(20, 3, 9);
    let (_, grads) = gradients(
        &model,
        data.x_train.view(),
        &data.y_train,
        Loss::CrossEntropy,
    )
    .unwrap();
    let eps = 1e-2f32;
    for l in 0..2 {
        for i in 0..model.layers()[l].bias().len() {
            let mut p = model.params();
            let b = p[l].bias[i];
            p[l].bias[i] = b + eps;
            model.set_params(&p).unwrap();
            let up = loss_at(&model, &data, Loss::CrossEntropy);
            p[l].bias[i] = b - eps;
            model.set_params(&p).unwrap();
            let down = loss_at(&model, &data, Loss::CrossEntropy);
            p[l].bias[i] = b;
            model.set_params(&p).unwrap();
            let fd = (up - down) / (2.0 * f64::from(eps));
            let g = f64::from(grads[l].bias[i]);
            assert!(
                (g - fd).abs() <= 1e-2 * g.abs().max(fd.abs()).max(1e-3),
                "bias {l}/{i}: {g} vs {fd}"
            );
        }
    }
}

/// Masks every weight with an odd flat index.
fn checkerboard_masks(model: &Mlp) -> Vec<Array2<f32>> {
    model
        .layers()
        .iter()
        .map(|d| {
            let (r, c) = d.weight().dim();
            Array2::from_shape_fn((r, c), |(i, j)| ((i * c + j) % 2 == 0) as u8 as f32)
        })
        .collect()
}

#[test]
fn masked_weights_have_zero_gradient() {
    let mut model = Mlp::new(&spec(vec![6, 5], Activation::Relu, Activation::Linear, 3)).unwrap();
    let masks = checkerboard_masks(&model);
    model.set_masks(&masks).unwrap();
    let data = random_data(40, 3, 1);
    let (_, grads) = gradients(
        &model,
        data.x_train.view(),
        &data.y_train,
        Loss::CrossEntropy,
    )
    .unwrap();
    for (g, m) in grads.iter().zip(&masks) {
        for (gv, mv) in g.weight.iter().zip(m) {
            if *mv == 0.0 {
                assert_eq!(*gv, 0.0);
            }
        }
    }
    // …and the gradient is not trivially zero elsewhere.
    assert!(grads[0].weight.iter().any(|&g| g != 0.0));
}

/// Layers with few alive weights (here 5% of a 100×100 layer) train with the sparse products:
/// the loss and the gradients of the alive weights are those the dense products give for the
/// same weights (to f32 round-off: the sums skip zeros and may be split differently), masked
/// gradients are 0, and training keeps masked weights at exactly 0 while it lowers the loss.
#[test]
fn sparse_layers_give_the_dense_gradients_and_train() {
    let mut model = Mlp::new(&spec(
        vec![100, 100],
        Activation::Relu,
        Activation::Linear,
        3,
    ))
    .unwrap();
    let mut r = rng::seeded(4);
    let masks: Vec<Array2<f32>> = model
        .layers()
        .iter()
        .enumerate()
        .map(|(l, d)| {
            let keep = if l == 1 { 0.05 } else { 1.0 };
            Array2::from_shape_simple_fn(d.weight().dim(), || {
                f32::from(u8::from(r.random::<f64>() < keep))
            })
        })
        .collect();
    // The same weights, once with the masks (sparse middle layer) and once all alive (dense).
    let mut dense = model.clone();
    model.set_masks(&masks).unwrap();
    let pruned_params = model.params();
    dense.set_params(&pruned_params).unwrap();
    let data = random_data(200, 3, 5);
    let (loss_s, grad_s) = gradients(
        &model,
        data.x_train.view(),
        &data.y_train,
        Loss::CrossEntropy,
    )
    .unwrap();
    let (loss_d, grad_d) = gradients(
        &dense,
        data.x_train.view(),
        &data.y_train,
        Loss::CrossEntropy,
    )
    .unwrap();
    assert!(
        (loss_s - loss_d).abs() <= 1e-6 * loss_d.abs(),
        "{loss_s} vs {loss_d}"
    );
    let mut alive = 0;
    for ((gs, gd), m) in grad_s.iter().zip(&grad_d).zip(&masks) {
        for ((&a, &b), &mv) in gs.weight.iter().zip(&gd.weight).zip(m) {
            if mv == 0.0 {
                assert_eq!(a, 0.0);
            } else {
                alive += 1;
                assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    }
    assert!(alive > 600, "{alive} alive weights compared");

    let mut trainer = Trainer::new(TrainConfig {
        optimizer: Optimizer::adam(),
        learning_rate: 0.01,
        batch_size: 32,
        ..TrainConfig::default()
    })
    .unwrap();
    let before = loss_at(&model, &data, Loss::CrossEntropy);
    for _ in 0..10 {
        trainer.train_epoch(&mut model, &data).unwrap();
    }
    assert!(loss_at(&model, &data, Loss::CrossEntropy) < 0.8 * before);
    for (d, m) in model.layers().iter().zip(&masks) {
        for (w, mv) in d.weight().iter().zip(m) {
            if *mv == 0.0 {
                assert_eq!(w.to_bits(), 0.0f32.to_bits(), "a masked weight was revived");
            }
        }
    }
}

#[test]
fn masked_weights_stay_exactly_zero_through_every_optimizer_with_regularization() {
    for optimizer in [
        Optimizer::Sgd,
        Optimizer::Momentum { beta: 0.9 },
        Optimizer::adam(),
    ] {
        let mut model =
            Mlp::new(&spec(vec![8, 8], Activation::Tanh, Activation::Linear, 3)).unwrap();
        let masks = checkerboard_masks(&model);
        model.set_masks(&masks).unwrap();
        let data = random_data(200, 3, 2);
        let mut trainer = Trainer::new(TrainConfig {
            optimizer,
            learning_rate: 0.05,
            batch_size: 16,
            l1: 1e-3,
            l2: 1e-3,
            ..TrainConfig::default()
        })
        .unwrap();
        let before = model.params();
        for _ in 0..5 {
            trainer.train_epoch(&mut model, &data).unwrap();
        }
        for ((d, m), b) in model.layers().iter().zip(&masks).zip(&before) {
            for ((w, mv), w0) in d.weight().iter().zip(m).zip(&b.weight) {
                if *mv == 0.0 {
                    assert_eq!(
                        w.to_bits(),
                        0.0f32.to_bits(),
                        "{optimizer:?} revived a masked weight"
                    );
                } else {
                    assert_ne!(w, w0, "{optimizer:?} left a live weight untouched");
                }
            }
        }
    }
}

#[test]
fn pruning_mid_training_with_momentum_does_not_revive_weights() {
    // Momentum carries a velocity for every weight; masking after some steps must still hold.
    for optimizer in [Optimizer::Momentum { beta: 0.9 }, Optimizer::adam()] {
        let mut model = Mlp::new(&spec(vec![8], Activation::Tanh, Activation::Linear, 3)).unwrap();
        let data = random_data(100, 3, 4);
        let mut trainer = Trainer::new(TrainConfig {
            optimizer,
            learning_rate: 0.05,
            batch_size: 10,
            ..TrainConfig::default()
        })
        .unwrap();
        trainer.train_epoch(&mut model, &data).unwrap();
        let masks = checkerboard_masks(&model);
        model.set_masks(&masks).unwrap();
        trainer.train_steps(&mut model, &data, 7).unwrap();
        for (d, m) in model.layers().iter().zip(&masks) {
            assert!(d
                .weight()
                .iter()
                .zip(m)
                .all(|(w, mv)| *mv != 0.0 || *w == 0.0));
        }
    }
}

fn train_once(model_seed: u64, shuffle_seed: u64) -> Vec<f32> {
    let mut s = spec(vec![8, 8], Activation::Relu, Activation::Linear, 3);
    s.seed = model_seed;
    let mut model = Mlp::new(&s).unwrap();
    let data = random_data(300, 3, 3);
    let mut trainer = Trainer::new(TrainConfig {
        seed: shuffle_seed,
        ..TrainConfig::default()
    })
    .unwrap();
    for _ in 0..3 {
        trainer.train_epoch(&mut model, &data).unwrap();
    }
    model
        .params()
        .iter()
        .flat_map(|p| p.weight.iter().copied())
        .collect()
}

#[test]
fn same_seed_gives_bit_identical_weights_and_different_seeds_differ() {
    let a = train_once(1, 1);
    let b = train_once(1, 1);
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    assert_ne!(a, train_once(2, 1), "the init seed must matter");
    assert_ne!(a, train_once(1, 2), "the shuffle seed must matter");
}

#[test]
fn training_lowers_the_loss_with_every_optimizer() {
    for (optimizer, lr) in [
        (Optimizer::Sgd, 0.1),
        (Optimizer::Momentum { beta: 0.9 }, 0.02),
        (Optimizer::adam(), 0.01),
    ] {
        let mut model = Mlp::new(&spec(vec![16], Activation::Tanh, Activation::Linear, 3)).unwrap();
        let data = random_data(400, 3, 8);
        let mut trainer = Trainer::new(TrainConfig {
            optimizer,
            learning_rate: lr,
            batch_size: 20,
            ..TrainConfig::default()
        })
        .unwrap();
        let before = trainer.metrics(&model, &data);
        let mut last = before;
        for _ in 0..20 {
            last = trainer.train_epoch(&mut model, &data).unwrap();
        }
        assert!(
            last.train_loss < 0.5 * before.train_loss,
            "{optimizer:?}: {} → {}",
            before.train_loss,
            last.train_loss
        );
        assert!(
            last.test_accuracy > 0.85,
            "{optimizer:?}: test accuracy {}",
            last.test_accuracy
        );
    }
}

#[test]
fn a_huge_learning_rate_reports_divergence_instead_of_training_on_nan() {
    // A linear network under MSE with a step far past 2/λ_max grows geometrically.
    let mut model = Mlp::new(&spec(vec![16], Activation::Linear, Activation::Linear, 3)).unwrap();
    let data = random_data(200, 3, 8);
    let mut trainer = Trainer::new(TrainConfig {
        loss: Loss::Mse,
        optimizer: Optimizer::Sgd,
        learning_rate: 10.0,
        batch_size: 5,
        ..TrainConfig::default()
    })
    .unwrap();
    let mut result = Ok(());
    for _ in 0..200 {
        if let Err(e) = trainer.train_epoch(&mut model, &data) {
            result = Err(e);
            break;
        }
    }
    let err = result.expect_err("lr 10 on a linear MSE net must diverge");
    assert!(err.to_string().contains("diverged"), "{err}");
}

#[test]
fn invalid_hyperparameters_are_rejected_with_the_field_name() {
    for (cfg, field) in [
        (
            TrainConfig {
                learning_rate: -1.0,
                ..TrainConfig::default()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                learning_rate: f32::NAN,
                ..TrainConfig::default()
            },
            "learning_rate",
        ),
        (
            TrainConfig {
                batch_size: 0,
                ..TrainConfig::default()
            },
            "batch_size",
        ),
        (
            TrainConfig {
                l2: 2.0,
                ..TrainConfig::default()
            },
            "l2",
        ),
        (
            TrainConfig {
                optimizer: Optimizer::Momentum { beta: 1.5 },
                ..TrainConfig::default()
            },
            "momentum",
        ),
    ] {
        let err = Trainer::new(cfg).unwrap_err().to_string();
        assert!(err.contains(field), "{err} should name {field}");
    }
}

#[test]
fn rewind_restores_theta_zero_on_survivors_and_keeps_the_mask() {
    let mut model = Mlp::new(&spec(vec![8], Activation::Tanh, Activation::Linear, 3)).unwrap();
    let theta0 = model.params();
    let data = random_data(100, 3, 4);
    let mut trainer = Trainer::new(TrainConfig {
        rewind_step: Some(3),
        ..TrainConfig::default()
    })
    .unwrap();
    trainer.train_steps(&mut model, &data, 5).unwrap();
    let masks = checkerboard_masks(&model);
    model.set_masks(&masks).unwrap();
    model.rewind_to_init().unwrap();
    for ((d, m), p0) in model.layers().iter().zip(&masks).zip(&theta0) {
        for ((w, mv), w0) in d.weight().iter().zip(m).zip(&p0.weight) {
            assert_eq!(*w, if *mv == 1.0 { *w0 } else { 0.0 });
        }
        assert_eq!(d.bias(), p0.bias.view());
    }
    let (k, saved) = model.rewind_point().map(|(k, p)| (k, p.to_vec())).unwrap();
    assert_eq!(k, 3);
    model.rewind_to_step(3).unwrap();
    for ((d, m), p) in model.layers().iter().zip(&masks).zip(&saved) {
        for ((w, mv), ws) in d.weight().iter().zip(m).zip(&p.weight) {
            assert_eq!(*w, if *mv == 1.0 { *ws } else { 0.0 });
        }
    }
    assert!(model.rewind_to_step(4).is_err());
}

#[test]
fn reinit_changes_survivors_but_keeps_the_mask() {
    let mut model = Mlp::new(&spec(vec![8], Activation::Tanh, Activation::Linear, 3)).unwrap();
    let masks = checkerboard_masks(&model);
    model.set_masks(&masks).unwrap();
    let before = model.params();
    model.reinit(99);
    assert_eq!(model.masks(), masks);
    for ((d, m), b) in model.layers().iter().zip(&masks).zip(&before) {
        for ((w, mv), wb) in d.weight().iter().zip(m).zip(&b.weight) {
            if *mv == 0.0 {
                assert_eq!(*w, 0.0);
            } else {
                assert_ne!(w, wb);
            }
        }
    }
}

#[test]
fn masks_other_than_zero_or_one_are_refused_and_leave_the_model_alone() {
    let mut model = Mlp::new(&spec(vec![4], Activation::Tanh, Activation::Linear, 3)).unwrap();
    let before = model.clone();
    let mut masks = model.masks();
    masks[0][[0, 0]] = 0.5;
    let err = model.set_masks(&masks).unwrap_err().to_string();
    assert!(err.contains("mask"), "{err}");
    assert_eq!(model, before);
}

/// Every initializer draws weights with its documented variance and shape (normal: kurtosis ≈ 3,
/// uniform: bounded, kurtosis ≈ 1.8); biases start at 0 except for `torch`, which draws them
/// U(±1/√fan_in) like `nn.Linear`; a re-initialization follows the same rule.
#[test]
fn initializers_have_their_documented_distributions() {
    let (fan_in, fan_out) = (300, 200);
    for init in Init::ALL {
        let spec = MlpSpec {
            inputs: fan_in,
            hidden: vec![fan_out],
            outputs: 10,
            activation: Activation::Relu,
            output_activation: Activation::Linear,
            init,
            seed: 5,
        };
        let mut mlp = Mlp::new(&spec).unwrap();
        for round in 0..2 {
            let params = mlp.params();
            let layer = &params[0];
            let w: Vec<f64> = layer.weight.iter().map(|&v| f64::from(v)).collect();
            let n = w.len() as f64;
            let mean = w.iter().sum::<f64>() / n;
            let var = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            let kurt = w.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n / var.powi(2);
            let want = f64::from(init.variance(fan_in, fan_out));
            let name = format!("{} (round {round})", init.name());
            assert!(mean.abs() < 0.05 * want.sqrt(), "{name}: mean {mean}");
            assert!(
                (var / want - 1.0).abs() < 0.03,
                "{name}: variance {var} vs {want}"
            );
            let max = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let uniform = matches!(
                init,
                Init::KaimingUniform | Init::GlorotUniform | Init::Torch
            );
            if uniform {
                assert!(max <= (3.0 * want).sqrt() + 1e-6, "{name}: |w| up to {max}");
                assert!((kurt - 1.8).abs() < 0.1, "{name}: kurtosis {kurt}");
            } else {
                assert!((kurt - 3.0).abs() < 0.2, "{name}: kurtosis {kurt}");
            }
            let bias = &layer.bias;
            if init == Init::Torch {
                let bound = 1.0 / (fan_in as f32).sqrt();
                assert!(
                    bias.iter().all(|b| b.abs() <= bound),
                    "{name}: bias out of ±{bound}"
                );
                let distinct = bias.iter().filter(|&&b| b != bias[0]).count();
                assert!(distinct > fan_out - 5, "{name}: biases are not drawn");
            } else {
                assert!(bias.iter().all(|&b| b == 0.0), "{name}: bias not zero");
            }
            mlp.reinit(99);
        }
    }
}

/// `epoch_order` peeks the rows the next steps use without drawing: plain SGD on the peeked
/// batches by hand (w ← w − η·∇L on each batch of 10 rows, in the peeked order, across an epoch
/// boundary) reaches the trainer's weights, and peeking twice changes nothing.
#[test]
fn peeked_epoch_order_is_the_order_training_uses() {
    let data = random_data(60, 3, 4); // 30 training rows: 3 batches of 10 per epoch
    let model0 = Mlp::new(&spec(vec![5], Activation::Tanh, Activation::Linear, 3)).unwrap();
    let config = TrainConfig {
        optimizer: Optimizer::Sgd,
        learning_rate: 0.1,
        batch_size: 10,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(config.clone()).unwrap();
    let mut model = model0.clone();
    let mut by_hand = model0.clone();
    for _ in 0..2 {
        let order = trainer.epoch_order(30);
        assert_eq!(order, trainer.epoch_order(30), "peeking draws nothing");
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..30).collect::<Vec<_>>(), "a permutation");
        for (k, batch) in order.chunks(10).enumerate() {
            assert_eq!(trainer.epoch_cursor(30), 10 * k);
            let x = data.x_train.select(Axis(0), batch);
            let y: Vec<usize> = batch.iter().map(|&i| data.y_train[i]).collect();
            let (_, grads) = gradients(&by_hand, x.view(), &y, Loss::CrossEntropy).unwrap();
            let mut params = by_hand.params();
            for (p, g) in params.iter_mut().zip(&grads) {
                p.weight.scaled_add(-0.1, &g.weight);
                p.bias.scaled_add(-0.1, &g.bias);
            }
            by_hand.set_params(&params).unwrap();
            assert_eq!(
                trainer.train_steps_only(&mut model, &data, 1).unwrap(),
                usize::from(k == 2)
            );
        }
    }
    let (a, b) = (model.params(), by_hand.params());
    for (p, q) in a.iter().zip(&b) {
        for (u, v) in p
            .weight
            .iter()
            .zip(&q.weight)
            .chain(p.bias.iter().zip(&q.bias))
        {
            assert!((u - v).abs() <= 1e-6 * (1.0 + v.abs()), "{u} vs {v}");
        }
    }
}

/// `train_steps_only` takes exactly the steps `train_steps` takes (bit-identical weights), only
/// without the per-epoch metrics, and counts the epochs it completed.
#[test]
fn steps_without_metrics_are_the_same_steps() {
    let data = random_data(100, 3, 5); // 50 training rows, batch 32: 2 steps per epoch
    let model0 = Mlp::new(&spec(vec![8, 8], Activation::Relu, Activation::Linear, 3)).unwrap();
    let (mut a, mut b) = (model0.clone(), model0);
    let mut ta = Trainer::new(TrainConfig::default()).unwrap();
    let mut tb = Trainer::new(TrainConfig::default()).unwrap();
    let metrics = ta.train_steps(&mut a, &data, 7).unwrap();
    let epochs = tb.train_steps_only(&mut b, &data, 7).unwrap();
    assert_eq!((metrics.len(), epochs), (3, 3));
    assert_eq!(ta.step(), tb.step());
    let bits = |m: &Mlp| -> Vec<u32> {
        m.params()
            .iter()
            .flat_map(|p| {
                p.weight
                    .iter()
                    .chain(&p.bias)
                    .map(|v| v.to_bits())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
}

/// Structured pruning leaves the next layer's weights column-major (ndarray's `select` along
/// columns); training such a model, with a layer large enough to be checked for sparsity, works
/// (it used to panic on a non-contiguous mask), keeps the shapes and lowers the loss.
#[test]
fn training_after_removing_neurons_before_a_large_layer_works() {
    let mut model = Mlp::new(&spec(
        vec![100, 100],
        Activation::Relu,
        Activation::Linear,
        3,
    ))
    .unwrap();
    let keep: Vec<usize> = (0..100).filter(|i| i % 10 != 0).collect();
    model.remove_neurons(0, &keep).unwrap();
    assert_eq!(model.widths(), vec![3, 90, 100, 3]);
    assert!(!model.layers()[1].weight().is_standard_layout());
    let data = random_data(200, 3, 6);
    let before = loss_at(&model, &data, Loss::CrossEntropy);
    let mut trainer = Trainer::new(TrainConfig {
        optimizer: Optimizer::Momentum { beta: 0.9 },
        learning_rate: 0.05,
        batch_size: 16,
        ..TrainConfig::default()
    })
    .unwrap();
    for _ in 0..5 {
        trainer.train_epoch(&mut model, &data).unwrap();
    }
    assert_eq!(model.widths(), vec![3, 90, 100, 3]);
    assert!(loss_at(&model, &data, Loss::CrossEntropy) < 0.9 * before);
}

// The `shift` augmentation (TrainConfig::shift, pruning_playground::train::shift), on the 8×8
// digits.

fn digits() -> Dataset {
    use pruning_playground::data::{build, DataSpec, DatasetKind};
    build(&DataSpec {
        kind: DatasetKind::Digits,
        ..DataSpec::default()
    })
    .unwrap()
}

fn digits_model() -> Mlp {
    Mlp::new(&MlpSpec {
        inputs: 64,
        hidden: vec![16],
        outputs: 10,
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::GlorotNormal,
        seed: 4,
    })
    .unwrap()
}

fn shifted_config(shift: usize) -> TrainConfig {
    TrainConfig {
        batch_size: 16,
        seed: 5,
        shift,
        ..TrainConfig::default()
    }
}

fn param_bits(m: &Mlp) -> Vec<u32> {
    m.layers()
        .iter()
        .flat_map(|d| {
            d.weight()
                .iter()
                .chain(d.bias().iter())
                .copied()
                .collect::<Vec<_>>()
        })
        .map(|v| v.to_bits())
        .collect()
}

/// One step with shift 2 equals one step with shift 0 on data whose first-batch images were moved
/// beforehand by the offsets drawn for step 0 (`offsets(seed, 0, 2, 16)`, in batch order), their
/// labels unchanged: each image is moved by its drawn offset with zero fill, and nothing else
/// changes. The data set itself (train, validation, test) is left as it was.
#[test]
fn a_shift_trains_on_each_batch_image_moved_by_its_drawn_offset() {
    use pruning_playground::train::shift::{offsets, translate};
    let data = digits();
    assert_eq!(data.image_side, Some(8));
    let before = data.clone();
    let mut shifted = digits_model();
    let mut t = Trainer::new(shifted_config(2)).unwrap();
    let order = t.epoch_order(data.x_train.nrows());
    t.train_steps(&mut shifted, &data, 1).unwrap();
    assert_eq!(data, before, "training must not move the stored images");

    let mut moved = data.clone();
    let d = offsets(5, 0, 2, 16);
    assert!(d.iter().any(|&o| o != (0, 0)));
    for (&row, &o) in order[..16].iter().zip(&d) {
        let src = data.x_train.row(row).to_vec();
        let mut dst = vec![0.0; 64];
        translate(&src, &mut dst, 8, o);
        moved
            .x_train
            .row_mut(row)
            .assign(&ndarray::Array1::from(dst));
    }
    let mut plain = digits_model();
    let mut t0 = Trainer::new(shifted_config(0)).unwrap();
    t0.train_steps(&mut plain, &moved, 1).unwrap();
    assert_eq!(param_bits(&shifted), param_bits(&plain));
}

/// Shift 0 trains exactly as data that are not images do (the augmentation does nothing), and a
/// shift leaves the batch order as it was (the offsets have their own stream).
#[test]
fn shift_zero_changes_nothing_and_a_shift_keeps_the_batch_order() {
    let data = digits();
    let mut not_images = data.clone();
    not_images.image_side = None;
    let n = data.x_train.nrows();
    let (mut a, mut b, mut c) = (digits_model(), digits_model(), digits_model());
    let mut ta = Trainer::new(shifted_config(0)).unwrap();
    let mut tb = Trainer::new(shifted_config(0)).unwrap();
    let mut tc = Trainer::new(shifted_config(1)).unwrap();
    let ma = ta.train_epoch(&mut a, &data).unwrap();
    let mb = tb.train_epoch(&mut b, &not_images).unwrap();
    tc.train_steps(&mut c, &data, 30).unwrap();
    assert_eq!(param_bits(&a), param_bits(&b));
    assert_eq!(ma, mb);
    assert_ne!(param_bits(&a), param_bits(&c));
    ta.restart_at(30, n);
    assert_eq!(ta.epoch_order(n), tc.epoch_order(n));
    assert_eq!(ta.epoch_cursor(n), tc.epoch_cursor(n));
}

/// The offsets are a function of seed and step: a trainer restarted at step k and one that went
/// through steps 0…k−1 take the same step k on the same weights.
#[test]
fn a_shifted_step_depends_only_on_seed_step_and_weights() {
    let data = digits();
    let n = data.x_train.nrows();
    let mut a = digits_model();
    let mut ta = Trainer::new(shifted_config(1)).unwrap();
    ta.train_steps(&mut a, &data, 7).unwrap();
    let mut b = a.clone();
    let mut tb = Trainer::new(shifted_config(1)).unwrap();
    tb.restart_at(7, n);
    ta.reset_optimizer();
    ta.train_steps(&mut a, &data, 1).unwrap();
    tb.train_steps(&mut b, &data, 1).unwrap();
    assert_eq!(param_bits(&a), param_bits(&b));
}

#[test]
fn a_shift_needs_images_and_at_most_three_pixels() {
    let err = Trainer::new(shifted_config(4)).unwrap_err().to_string();
    assert_eq!(err, "invalid shift: 4 (0 to 3)");
    let data = random_data(40, 2, 1);
    let mut model = Mlp::new(&spec(vec![4], Activation::Tanh, Activation::Linear, 2)).unwrap();
    let mut t = Trainer::new(TrainConfig {
        shift: 1,
        ..TrainConfig::default()
    })
    .unwrap();
    let err = t.train_epoch(&mut model, &data).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid shift: 1 (0 unless the data set is images (digits, MNIST): it moves pixels)"
    );
}
