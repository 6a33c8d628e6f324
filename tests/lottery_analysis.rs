//! The ticket's mask analysis (`lottery::analysis`): agreement with other masks beside its
//! chance level, the largest-|θ₀| mask, θ₀ histograms, and what the runner reports.
#![cfg(not(target_arch = "wasm32"))] // native tests; tests/web.rs is the wasm suite

use ndarray::{array, Array1, Array2};
use pruning_playground::experiment::{DataConfig, Experiment, ExperimentConfig, LotteryConfig};
use pruning_playground::lottery::analysis::{
    agreement, agreement_of_tickets, init_histograms, init_magnitude_masks, kept_neurons,
    kept_weights, random_kept_neurons,
};
use pruning_playground::lottery::{Branch, LotteryRunner, Role};
use pruning_playground::model::{Activation, Init, LayerParams, Mlp, MlpSpec};
use pruning_playground::prune::{self, mask_overlap, random_masks_like, Amount, PruneSpec, Scope};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn kept(rows: &[&[u8]]) -> Vec<Vec<bool>> {
    rows.iter()
        .map(|r| r.iter().map(|&k| k != 0).collect())
        .collect()
}

/// A = {0, 1} of 4 and {0} of 2; B = {0, 2} and {1}.
/// Layer 0: |A∩B| = 1 of |A| = 2 → 0.5, chance |B|/n = 2/4 = 0.5.
/// Layer 1: 0 of 1 → 0.0, chance 1/2.
/// Overall: 1 / 3; chance (2·0.5 + 1·0.5) / 3 = 0.5.
#[test]
fn agreement_is_the_share_of_the_tickets_survivors_the_other_mask_keeps() {
    let a = kept(&[&[1, 1, 0, 0], &[1, 0]]);
    let b = kept(&[&[1, 0, 1, 0], &[0, 1]]);
    let g = agreement(&a, &b);
    assert_eq!(g.layer, vec![0.5, 0.0]);
    assert_eq!(g.layer_chance, vec![0.5, 0.5]);
    assert!(close(g.overall, 1.0 / 3.0), "{g:?}");
    assert!(close(g.chance, 0.5), "{g:?}");
    // Not symmetric in general: B of another size. A = {0} of 4, B = {0, 1, 2}: A's one
    // survivor is kept (1.0, chance 3/4); the other way round 1/3 (chance 1/4).
    let (a, b) = (kept(&[&[1, 0, 0, 0]]), kept(&[&[1, 1, 1, 0]]));
    assert_eq!(agreement(&a, &b).layer, vec![1.0]);
    assert_eq!(agreement(&a, &b).layer_chance, vec![0.75]);
    assert!(close(agreement(&b, &a).overall, 1.0 / 3.0));
    assert_eq!(agreement(&b, &a).chance, 0.25);
    // Empty survivors: 1 against an empty mask, 0 against a non-empty one.
    let e = kept(&[&[0, 0]]);
    assert_eq!(agreement(&e, &e).overall, 1.0);
    assert_eq!(agreement(&e, &kept(&[&[0, 1]])).overall, 0.0);
}

#[test]
fn identical_masks_agree_fully_whatever_their_density() {
    for seed in 0..20u64 {
        let model = dense(&[6, 5, 3], seed);
        let mut m = model.clone();
        let density = 0.05 * seed as f64;
        prune::prune(
            &mut m,
            &PruneSpec {
                amount: Amount::Fraction(density),
                seed,
                ..PruneSpec::default()
            },
            None,
        )
        .unwrap();
        let k = kept_weights(&random_masks_like(&m, seed));
        let g = agreement(&k, &k);
        assert!(g.layer.iter().all(|&x| x == 1.0), "{g:?}");
        assert_eq!(g.overall, 1.0);
    }
}

/// A random mask with the ticket's per-layer counts agrees at chance: averaged over many seeds,
/// each layer's agreement is that layer's density (|B|/n), and the overall one the chance level.
#[test]
fn a_random_masks_agreement_averages_to_the_layer_density() {
    let mut m = dense(&[20, 30, 10], 1);
    for f in [0.5, 0.4] {
        prune::prune(
            &mut m,
            &PruneSpec {
                amount: Amount::Fraction(f),
                ..PruneSpec::default()
            },
            None,
        )
        .unwrap();
    }
    let ticket = kept_weights(&m.masks());
    let densities = m.layer_density();
    let runs = 400;
    let mut sum = [0.0; 2];
    let mut overall = 0.0;
    for seed in 0..runs {
        let g = agreement(&ticket, &kept_weights(&random_masks_like(&m, seed)));
        for (s, x) in sum.iter_mut().zip(&g.layer) {
            *s += x;
        }
        overall += g.overall;
        for (c, d) in g.layer_chance.iter().zip(&densities) {
            assert!(close(*c, *d), "chance {c} is the layer density {d}");
        }
    }
    for (s, d) in sum.iter().zip(&densities) {
        let mean = s / runs as f64;
        assert!(
            (mean - d).abs() < 0.01,
            "mean agreement {mean} vs density {d}"
        );
    }
    let chance = agreement(&ticket, &ticket.clone()).chance;
    assert!((overall / runs as f64 - chance).abs() < 0.01);
    // The overall chance weighs each layer's density by its survivors: Σ|A|²/n / Σ|A|.
    let alive: Vec<f64> = m.layers().iter().map(|d| d.alive() as f64).collect();
    let n: Vec<f64> = m.layers().iter().map(|d| d.weight().len() as f64).collect();
    let expected =
        (alive[0] * alive[0] / n[0] + alive[1] * alive[1] / n[1]) / (alive[0] + alive[1]);
    assert!(close(chance, expected), "{chance} vs {expected}");
}

/// θ₀ = [0.5, −0.5, 0.1, 0.5 | −2, 1]; keep 2 of layer 0 and 1 of layer 1. Layer 0: |θ₀| 0.1
/// goes first, then of the three 0.5s the lowest index (0): kept {1, 3}. Layer 1: keeps −2.
#[test]
fn the_init_magnitude_mask_keeps_the_largest_initial_weights_ties_by_index() {
    let m = with_init(vec![
        array![[0.5f32, -0.5], [0.1, 0.5]],
        array![[-2.0f32, 1.0]],
    ]);
    let masks = init_magnitude_masks(&m, &[2, 1]).unwrap();
    assert_eq!(masks[0], array![[0.0f32, 1.0], [0.0, 1.0]]);
    assert_eq!(masks[1], array![[1.0f32, 0.0]]);
    assert_eq!(
        init_magnitude_masks(&m, &[4, 0]).unwrap()[1],
        array![[0.0f32, 0.0]]
    );
    assert!(init_magnitude_masks(&m, &[5, 0]).is_err());
}

/// A ticket that *is* the largest |θ₀| — magnitude pruning of the untrained network, layer by
/// layer — agrees fully with the init-magnitude mask; the runner's own analysis says so too.
#[test]
fn a_ticket_made_of_the_largest_initial_weights_agrees_fully_with_them() {
    let model = dense(&[10, 12, 4], 3);
    let mut t = model.clone();
    for _ in 0..3 {
        prune::prune(
            &mut t,
            &PruneSpec {
                scope: Scope::Layer,
                output_rate: 1.0,
                amount: Amount::Fraction(0.3),
                ..PruneSpec::default()
            },
            None,
        )
        .unwrap();
    }
    let counts: Vec<usize> = t.layers().iter().map(|d| d.alive()).collect();
    let top = init_magnitude_masks(&model, &counts).unwrap();
    assert_eq!(top, t.masks());
    let a =
        pruning_playground::lottery::analysis::analyse(&model, &t, prune::Structure::Weights, 7)
            .unwrap();
    let g = a.vs_init_magnitude.unwrap();
    assert_eq!(g.overall, 1.0);
    assert!(g.chance < 0.5, "density 0.7³ ≈ 0.34: chance {}", g.chance);
}

/// θ₀ = [−1, −0.5, 0, 0.5, 1] on 4 bins: edges −1, −0.5, 0, 0.5, 1; 1 lands in the last bin.
/// Mask [1, 0, 1, 0, 1]: kept [1, 0, 1, 1], pruned [0, 1, 0, 1].
#[test]
fn init_histograms_split_theta0_by_survival_on_symmetric_bins() {
    let w = array![[-1.0f32, -0.5, 0.0, 0.5, 1.0]];
    let mask = array![[1.0f32, 0.0, 1.0, 0.0, 1.0]];
    let h = &init_histograms(&[w], &[mask], 4)[0];
    assert_eq!(h.edges, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
    assert_eq!(h.kept, vec![1, 0, 1, 1]);
    assert_eq!(h.pruned, vec![0, 1, 0, 1]);
    // An all-zero layer: edges ±1, every weight in the bin starting at 0.
    let h = &init_histograms(&[Array2::zeros((2, 3))], &[Array2::ones((2, 3))], 4)[0];
    assert_eq!(h.edges, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
    assert_eq!(h.kept, vec![0, 0, 6, 0]);
}

#[test]
fn init_histogram_counts_sum_to_the_layer_sizes_and_survivors() {
    let mut m = dense(&[9, 7, 5, 3], 4);
    prune::prune(
        &mut m,
        &PruneSpec {
            amount: Amount::Fraction(0.6),
            ..PruneSpec::default()
        },
        None,
    )
    .unwrap();
    let init: Vec<Array2<f32>> = m
        .initial_params()
        .iter()
        .map(|p| p.weight.clone())
        .collect();
    for (h, d) in init_histograms(&init, &m.masks(), 20)
        .iter()
        .zip(m.layers())
    {
        assert_eq!(h.edges.len(), 21);
        assert_eq!(h.edges[0], -h.edges[20]);
        assert_eq!(h.kept.iter().sum::<usize>(), d.alive());
        assert_eq!(
            h.kept.iter().sum::<usize>() + h.pruned.iter().sum::<usize>(),
            d.weight().len()
        );
    }
}

/// The measure it replaces, the Jaccard index of a level's mask with the previous level's, is
/// the density ratio whenever masks are nested (which iterative pruning guarantees): here
/// 2 / 4 = 0.5 whichever two of the previous four survive. The agreement with the |θ₀| mask
/// tells those cases apart: 1.0 when the survivors are the two largest |θ₀|, 0.0 when they are
/// the two smallest.
#[test]
fn the_new_measure_is_not_the_density_ratio_the_old_overlap_was() {
    let m = with_init(vec![
        array![[0.9f32, -0.8], [0.1, -0.2]],
        array![[1.0f32, 1.0]],
    ]);
    let prev = vec![array![[1.0f32, 1.0], [1.0, 1.0]], array![[1.0f32, 1.0]]];
    let big = vec![array![[1.0f32, 1.0], [0.0, 0.0]], array![[1.0f32, 1.0]]];
    let small = vec![array![[0.0f32, 0.0], [1.0, 1.0]], array![[1.0f32, 1.0]]];
    let ratio = 4.0 / 6.0;
    assert!(close(mask_overlap(&big, &prev), ratio));
    assert!(close(mask_overlap(&small, &prev), ratio));
    let top = kept_weights(&init_magnitude_masks(&m, &[2, 2]).unwrap());
    assert_eq!(agreement(&kept_weights(&big), &top).layer[0], 1.0);
    assert_eq!(agreement(&kept_weights(&small), &top).layer[0], 0.0);
    assert!(!close(
        agreement(&kept_weights(&small), &top).overall,
        ratio
    ));
}

#[test]
fn neuron_tickets_compare_kept_neurons() {
    // Hidden widths 4 and 3; A keeps {0, 2} and {1}, B {2, 3} and {1}: 1/2 and 1/1.
    let a = kept_neurons(&[vec![0, 2], vec![1]], &[4, 3]);
    let b = kept_neurons(&[vec![2, 3], vec![1]], &[4, 3]);
    let g = agreement(&a, &b);
    assert_eq!(g.layer, vec![0.5, 1.0]);
    assert_eq!(g.layer_chance, vec![0.5, 1.0 / 3.0]);
    assert!(close(g.overall, 2.0 / 3.0));
    let r = random_kept_neurons(&[4, 3], &[2, 1], 9);
    assert_eq!(r.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 1]);
    assert!(r.iter().all(|ids| ids.windows(2).all(|p| p[0] < p[1])));
    assert_eq!(r, random_kept_neurons(&[4, 3], &[2, 1], 9));
}

fn circle() -> Experiment {
    Experiment::new(ExperimentConfig {
        dataset: DataConfig {
            kind: "circle".into(),
            samples: 200,
            ..DataConfig::default()
        },
        hidden: vec![8, 8],
        learning_rate: 0.03,
        ..ExperimentConfig::default()
    })
    .unwrap()
}

/// The runner compares each ticket level with exactly the mask its random-mask control trains
/// (the same seed), for weights and for neurons; neuron tickets have no |θ₀| mask or histogram.
#[test]
fn the_runners_random_mask_comparison_is_with_the_controls_own_mask() {
    for structure in ["weights", "neurons"] {
        let exp = circle();
        let spec = LotteryConfig {
            levels: 2,
            epochs: 1,
            structure: structure.into(),
            controls: vec!["random-mask".into()],
            ..LotteryConfig::default()
        }
        .spec()
        .unwrap();
        let mut r = exp.lottery(spec.clone()).unwrap();
        let mut starts = Vec::new();
        while !r.finished() {
            let p = r.step().unwrap();
            if p.epoch == 0 && !p.finished {
                starts.push((p.branch, p.level, r.current_model().unwrap().clone()));
            }
        }
        let start = |b: Branch, l: usize| &starts.iter().find(|s| s.0 == b && s.1 == l).unwrap().2;
        let hidden = &r.dense().spec().hidden.clone();
        for x in r.results() {
            let Some(a) = &x.mask_analysis else { continue };
            let (t, c) = (
                start(Branch::Ticket, x.level),
                start(Branch::RandomMask, x.level),
            );
            let expected = if structure == "weights" {
                agreement(&kept_weights(&t.masks()), &kept_weights(&c.masks()))
            } else {
                agreement(
                    &kept_neurons(t.neuron_ids(), hidden),
                    &kept_neurons(c.neuron_ids(), hidden),
                )
            };
            assert_eq!(a.vs_random_mask, expected, "{structure} level {}", x.level);
            assert!(a.vs_other_seed.is_none());
            if structure == "weights" {
                assert_eq!(a.init_histogram.len(), 3);
                assert!(a.vs_init_magnitude.is_some());
            } else {
                assert!(a.init_histogram.is_empty() && a.vs_init_magnitude.is_none());
            }
        }
        // The split runners (ticket and controls side by side) report the same analysis.
        let mut ticket = exp.lottery_part(spec.clone(), Role::Ticket).unwrap();
        ticket.run().unwrap();
        let ticket_levels: Vec<_> = r
            .results()
            .iter()
            .filter(|x| x.branch == Branch::Ticket)
            .map(|x| x.mask_analysis.clone())
            .collect();
        let split: Vec<_> = ticket
            .results()
            .iter()
            .map(|x| x.mask_analysis.clone())
            .collect();
        assert_eq!(split, ticket_levels, "{structure}");
    }
}

/// Two runs of the same seed find the same ticket: agreement 1 at every level.
#[test]
fn tickets_of_the_same_seed_agree_fully() {
    let exp = circle();
    let spec = LotteryConfig {
        levels: 2,
        epochs: 1,
        controls: vec![],
        ..LotteryConfig::default()
    }
    .spec()
    .unwrap();
    let structures = |exp: &Experiment| {
        let mut r: LotteryRunner = exp.lottery(spec.clone()).unwrap();
        let mut out = Vec::new();
        while !r.finished() {
            r.step().unwrap();
            if let Some(t) = r.ticket_structure().filter(|t| t.level > out.len()) {
                out.push(t);
            }
        }
        out
    };
    let (a, b) = (structures(&exp), structures(&exp));
    assert_eq!(a.len(), 2);
    for (a, b) in a.iter().zip(&b) {
        let g = agreement_of_tickets(a, b, prune::Structure::Weights, &[8, 8]);
        assert_eq!(g.overall, 1.0);
        assert!(g.chance < 1.0);
    }
}

/// `compare_seed` runs the other seed's ticket line beside the ticket: with the experiment's own
/// model seed it is the same ticket (agreement 1 at every level); with another seed it is
/// compared with that seed's ticket, whether the runner has the controls (one runner) or not
/// (the split ticket runner). The ticket's own numbers do not change.
#[test]
fn compare_seed_reports_the_other_seeds_ticket_at_every_level() {
    let exp = circle();
    let own = exp.model.spec().seed;
    let config = LotteryConfig {
        levels: 3,
        epochs: 2,
        controls: vec!["random-mask".into()],
        ..LotteryConfig::default()
    };
    let plain = exp
        .lottery(config.spec().unwrap())
        .unwrap()
        .run()
        .unwrap()
        .to_vec();
    for (seed, same) in [(own, true), (own + 1, false)] {
        let spec = LotteryConfig {
            compare_seed: Some(seed),
            ..config.clone()
        }
        .spec()
        .unwrap();
        let all = exp.lottery(spec.clone()).unwrap().run().unwrap().to_vec();
        let mut split = exp.lottery_part(spec.clone(), Role::Ticket).unwrap();
        split.run().unwrap();
        let tickets: Vec<_> = all.iter().filter(|x| x.branch == Branch::Ticket).collect();
        assert_eq!(tickets.len(), 4);
        for (x, y) in tickets.iter().zip(split.results()) {
            assert_eq!(x.mask_analysis, y.mask_analysis, "level {}", x.level);
            let Some(a) = &x.mask_analysis else {
                assert_eq!(x.level, 0);
                continue;
            };
            let other = a
                .vs_other_seed
                .as_ref()
                .expect("compared at every pruned level");
            assert!(other.chance < 1.0);
            if same {
                assert_eq!(other.overall, 1.0, "level {}", x.level);
            } else {
                assert!(other.overall < 1.0, "level {}", x.level);
            }
        }
        // The comparison adds a field; the ticket's training is the same.
        let strip = |r: &[pruning_playground::lottery::LevelResult]| -> Vec<_> {
            r.iter()
                .map(|x| (x.branch, x.level, x.test_accuracy, x.density))
                .collect()
        };
        assert_eq!(strip(&all), strip(&plain));
    }
}

/// A dense network of the given widths (seeded).
fn dense(widths: &[usize], seed: u64) -> Mlp {
    Mlp::new(&MlpSpec {
        inputs: widths[0],
        hidden: widths[1..widths.len() - 1].to_vec(),
        outputs: widths[widths.len() - 1],
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::KaimingNormal,
        seed,
    })
    .unwrap()
}

/// A dense network whose θ₀ (and weights) are `w`, one hidden layer (widths from the shapes).
fn with_init(w: Vec<Array2<f32>>) -> Mlp {
    let params: Vec<LayerParams> = w
        .iter()
        .map(|w| LayerParams {
            weight: w.clone(),
            bias: Array1::zeros(w.nrows()),
        })
        .collect();
    let spec = MlpSpec {
        inputs: w[0].ncols(),
        hidden: vec![w[0].nrows()],
        outputs: w[1].nrows(),
        activation: Activation::Relu,
        output_activation: Activation::Linear,
        init: Init::KaimingNormal,
        seed: 0,
    };
    let masks = w.iter().map(|w| Array2::ones(w.dim())).collect();
    Mlp::from_parts(
        &spec,
        params.clone(),
        masks,
        params,
        vec![(0..w[0].nrows()).collect()],
    )
    .unwrap()
}
