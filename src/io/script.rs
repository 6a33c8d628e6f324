//! A Python script that reproduces an experiment in PyTorch with `torch.nn.utils.prune`, so a
//! learner can continue on their own hardware.
//!
//! What carries over exactly: the architecture, activations, loss, optimizer and its
//! hyperparameters (weight decay on weights only, as here; a fresh optimizer for every level and
//! branch), batch size, epochs, and the pruning rule — structure, score, scope, the fraction of
//! the remaining weights (or neurons) per level, the output layer's rate, how many go
//! (`round(f × remaining)`, halves away from zero, the lowest scores, ties to the lower index),
//! neuron removal (row, bias and the next layer's column), the reset before retraining and the
//! controls, and an N:M pattern with its decay over the levels (`select_pattern`, the random
//! mask a random k:m one). So every level has the playground's per-layer densities (under
//! global scope, for the same weights). What does not: random draws — torch's generator is not
//! ChaCha8, so the initial weights, the batch order and the `random` score differ for the same
//! seed (load our exported θ₀ to share it), and the data must come from `pruning-playground
//! data` (the script reads that file).
//!
//! The script is a header of settings and the few functions that depend on them (initializer,
//! optimizer, loss, score), written here, followed by `script_body.py`, the same for every
//! experiment. Run it with `--json` for one JSON object per (branch, level), as the CLI's
//! `lottery --json`.

use crate::config::{ExperimentConfig, LotteryConfig};
use crate::data::DatasetKind;
use crate::model::Activation;
use crate::prune::{Score, Structure};
use crate::train::{Loss, Optimizer};
use crate::Result;

/// The part of the script that is the same for every experiment.
const BODY: &str = include_str!("script_body.py");

fn py_str(s: &str) -> String {
    // JSON string syntax is valid Python string syntax for the characters JSON escapes.
    serde_json::to_string(s).expect("a string always serializes")
}

/// A float as a Python literal (`inf` is `math.inf`).
fn py_f64(v: f64) -> String {
    if v == f64::INFINITY {
        "math.inf".into()
    } else {
        format!("{v:?}")
    }
}

/// The call of the torch implementation of a score: one function of the script per score. A new
/// [`Score`] fails to compile here until the script implements it.
fn score_call(score: Score) -> String {
    let args = "model, weights, data";
    match score {
        Score::Magnitude => format!("score_magnitude({args})"),
        Score::Lp(p) => format!("score_lp({args}, p={})", py_f64(p)),
        Score::LpRaw(p) => format!("score_lp_raw({args}, p={})", py_f64(p)),
        Score::Random => format!("score_random({args})"),
        Score::Snip => format!("score_snip({args})"),
        Score::Synflow => format!("score_synflow({args})"),
        Score::Grasp => format!("score_grasp({args})"),
    }
}

/// The body of `init_layer(m)` for the weight initializer `name`.
fn init_code(name: &str) -> &'static str {
    match name {
        "kaiming-uniform" => "nn.init.kaiming_uniform_(m.weight_orig, nonlinearity=\"relu\")\n    nn.init.zeros_(m.bias_orig)",
        "glorot-normal" => "nn.init.xavier_normal_(m.weight_orig)\n    nn.init.zeros_(m.bias_orig)",
        "glorot-uniform" => "nn.init.xavier_uniform_(m.weight_orig)\n    nn.init.zeros_(m.bias_orig)",
        // nn.Linear's own draw, U(±1/√fan_in) for weights and biases.
        "torch" => "bound = 1 / math.sqrt(m.in_features)\n    nn.init.uniform_(m.weight_orig, -bound, bound)\n    nn.init.uniform_(m.bias_orig, -bound, bound)",
        _ => "nn.init.kaiming_normal_(m.weight_orig, nonlinearity=\"relu\")\n    nn.init.zeros_(m.bias_orig)",
    }
}

/// The script for `exp` run as the lottery experiment `lottery` (levels 0 = just train).
///
/// # Errors
/// Any invalid field of either config, named.
pub fn pytorch_script(exp: &ExperimentConfig, lottery: &LotteryConfig) -> Result<String> {
    let train = exp.train_config()?;
    let spec = lottery.spec()?;
    let out_act = match &exp.output_activation {
        Some(name) => Activation::parse(name)?,
        None => train.loss.default_output_activation(),
    };
    Activation::parse(&exp.activation)?;
    crate::model::Init::parse(&exp.init)?;
    let (lo, hi) = Loss::target_range(out_act);
    // Weight decay on the weights only: the playground adds λ₂·w to the weights' gradients and
    // leaves biases alone (torch's weight_decay is the same L2 term, so two parameter groups).
    let groups =
        "[{\"params\": [m.weight_orig for m in linears(model)], \"weight_decay\": L2},\n         \
         {\"params\": [m.bias_orig for m in linears(model)], \"weight_decay\": 0.0}]";
    let optimizer = match train.optimizer {
        Optimizer::Sgd => format!("torch.optim.SGD({groups}, lr=LR)"),
        Optimizer::Momentum { beta } => {
            format!("torch.optim.SGD({groups}, lr=LR, momentum={beta:?})")
        }
        Optimizer::Adam { beta1, beta2, eps } => {
            format!("torch.optim.Adam({groups}, lr=LR, betas=({beta1:?}, {beta2:?}), eps={eps:?})")
        }
    };
    let loss = match train.loss {
        Loss::CrossEntropy => "nn.functional.cross_entropy(out, y)".to_string(),
        Loss::Mse => {
            format!("nn.functional.mse_loss(out, targets(y, out.shape[1], {lo:?}, {hi:?}))")
        }
    };
    let controls: Vec<String> = spec.controls.iter().map(|b| py_str(b.name())).collect();
    let hidden: Vec<String> = exp.hidden.iter().map(|h| h.to_string()).collect();
    let structure = match spec.prune.structure {
        Structure::Weights => "weights",
        Structure::Neurons => "neurons",
    };
    let head = format!(
        r#"#!/usr/bin/env python3
"""Reproduces a Pruning Playground experiment in PyTorch (generated; edit freely).

Data: run `pruning-playground data --dataset {dataset} --seed {data_seed} --out data.safetensors`
first (the same samples the playground used). Every level prunes exactly as the playground does
(the same number of weights or neurons per layer, chosen by the same rule); random draws differ
(torch's generator is not ChaCha8: initial weights, batch order, random scores, SHIFT's
offsets), so expect the same behaviour and densities, not the same digits. `--json` prints one
JSON object per (branch, level), as `pruning-playground lottery --json`.
Needs: pip install torch safetensors
"""
import argparse
import json
import math

import torch
from torch import nn
from torch.nn.utils import prune
from safetensors.torch import load_file

SEED = {seed}
HIDDEN = [{hidden}]
ACTIVATION = {activation}
OUTPUT_ACTIVATION = {out_act}
LOSS = {loss_name}
THRESHOLD = {threshold:?}      # one output: class 1 above this (the middle of the targets)
LR = {lr:?}
BATCH = {batch}
SHIFT = {shift}            # each training image moved by up to SHIFT pixels each way, zero fill (0 = off)
SIDE = {side}             # the images' side (None: not images)
EPOCHS = {epochs}            # per level and branch
L1 = {l1:?}
L2 = {l2:?}                # weight decay, on weights only
LEVELS = {levels}            # pruning levels after the dense level 0
STRUCTURE = {structure}   # weights | neurons (removed: row, bias and the next layer's column)
SCORE = {score}
SCOPE = {scope}       # global (one ranking) | layer (each layer at FRACTION)
FRACTION = {fraction:?}       # of the remaining weights (or neurons) per level
OUTPUT_RATE = {output_rate:?}    # weights: the output layer at FRACTION * OUTPUT_RATE (1: joins the others)
LAYER_RATES = {layer_rates:?}    # layer scope: layer l (before the output; neurons: hidden layer l) at FRACTION * rate, 0 = dense; [] = all 1
PATTERN = {pattern}    # (N, M): N:M sparsity instead of FRACTION, SCOPE and OUTPUT_RATE; level L keeps M - round((M - N) * L / LEVELS) of every M
RESET = {reset}          # keep | init | step:K | reinit
CONTROLS = [{controls}]

ACTIVATIONS = {{"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity}}


def init_layer(m):
    {init}


def make_optimizer(model):
    return {optimizer}


def loss_fn(out, y):
    return {loss}


def score(model, weights, data):
    return {score_call}
"#,
        dataset = exp.dataset.kind,
        data_seed = exp.dataset.seed,
        seed = exp.seed,
        hidden = hidden.join(", "),
        activation = py_str(&exp.activation),
        out_act = py_str(out_act.name()),
        loss_name = py_str(train.loss.name()),
        threshold = f64::from(lo + hi) / 2.0,
        lr = train.learning_rate,
        batch = train.batch_size,
        shift = train.shift,
        side = DatasetKind::parse(&exp.dataset.kind)
            .ok()
            .and_then(DatasetKind::image_side)
            .map_or("None".into(), |s| s.to_string()),
        epochs = spec.epochs,
        l1 = train.l1,
        l2 = train.l2,
        levels = spec.levels,
        structure = py_str(structure),
        score = py_str(&spec.prune.score.name()),
        scope = py_str(spec.prune.scope.name()),
        fraction = lottery.fraction,
        output_rate = lottery.output_rate,
        layer_rates = spec.prune.layer_rates,
        pattern = spec
            .prune
            .pattern
            .map_or("None".into(), |p| format!("({}, {})", p.n, p.m)),
        reset = py_str(&spec.reset.name()),
        controls = controls.join(", "),
        init = init_code(&exp.init),
        score_call = score_call(spec.prune.score),
    );
    Ok(format!("{head}{BODY}"))
}
