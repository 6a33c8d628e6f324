//! A Python script that reproduces an experiment in PyTorch with `torch.nn.utils.prune`, so a
//! learner can continue on their own hardware.
//!
//! What carries over exactly: the architecture, activations, loss, optimizer and its
//! hyperparameters, batch size, epochs, the pruning rule (structure, score, scope, fraction of the
//! remaining weights per level, the output layer's rate) and the reset before retraining. What
//! does not: random draws — torch's generator is not ChaCha8, so the initial weights and the batch
//! order differ for the same seed (load our exported θ₀ to share it), and the data must come from
//! `pruning-playground data` (the script reads that file).

use crate::experiment::{ExperimentConfig, LotteryConfig};
use crate::lottery::Reset;
use crate::prune::{Scope, Score, Structure};
use crate::Result;

fn py_str(s: &str) -> String {
    // JSON string syntax is valid Python string syntax for the characters JSON escapes.
    serde_json::to_string(s).expect("a string always serializes")
}

/// The script for `exp` run as the lottery experiment `lottery` (levels 0 = just train).
///
/// # Errors
/// Any invalid field of either config, named.
pub fn pytorch_script(exp: &ExperimentConfig, lottery: &LotteryConfig) -> Result<String> {
    let train = exp.train_config()?;
    let spec = lottery.spec()?;
    let act = |name: &str| match name {
        "relu" => "nn.ReLU()",
        "tanh" => "nn.Tanh()",
        "sigmoid" => "nn.Sigmoid()",
        _ => "nn.Identity()",
    };
    let out_act = exp
        .output_activation
        .clone()
        .unwrap_or_else(|| train.loss.default_output_activation().name().to_string());
    let optimizer = match train.optimizer {
        crate::train::Optimizer::Sgd => format!(
            "torch.optim.SGD(params, lr={}, weight_decay={})",
            train.learning_rate, train.l2
        ),
        crate::train::Optimizer::Momentum { beta } => format!(
            "torch.optim.SGD(params, lr={}, momentum={beta}, weight_decay={})",
            train.learning_rate, train.l2
        ),
        crate::train::Optimizer::Adam { beta1, beta2, eps } => format!(
            "torch.optim.Adam(params, lr={}, betas=({beta1}, {beta2}), eps={eps}, weight_decay={})",
            train.learning_rate, train.l2
        ),
    };
    let init = match exp.init.as_str() {
        "kaiming-uniform" => "nn.init.kaiming_uniform_(m.weight, nonlinearity='relu')\n            nn.init.zeros_(m.bias)",
        "glorot-normal" => "nn.init.xavier_normal_(m.weight)\n            nn.init.zeros_(m.bias)",
        "glorot-uniform" => "nn.init.xavier_uniform_(m.weight)\n            nn.init.zeros_(m.bias)",
        "torch" => "m.reset_parameters()  # nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
        _ => "nn.init.kaiming_normal_(m.weight, nonlinearity='relu')\n            nn.init.zeros_(m.bias)",
    };
    let loss = match train.loss {
        crate::train::Loss::CrossEntropy => "nn.CrossEntropyLoss()(out, y)".to_string(),
        crate::train::Loss::Mse => {
            let (lo, hi) =
                crate::train::Loss::target_range(crate::model::Activation::parse(&out_act)?);
            format!("nn.MSELoss()(out, targets(y, out.shape[1], {lo}, {hi}))")
        }
    };
    let amount_fn = match (spec.prune.structure, spec.prune.score, spec.prune.scope) {
        (Structure::Weights, Score::Random, _) => "random",
        (Structure::Weights, _, Scope::Global) => "global",
        (Structure::Weights, _, Scope::Layer) => "layer",
        (Structure::Neurons, _, _) => "neurons",
    };
    let reset = match spec.reset {
        Reset::Keep => "keep".to_string(),
        Reset::Init => "init".to_string(),
        Reset::Step(k) => format!("step:{k}"),
        Reset::Reinit => "reinit".to_string(),
    };
    let controls: Vec<String> = spec.controls.iter().map(|b| py_str(b.name())).collect();
    let hidden: Vec<String> = exp.hidden.iter().map(|h| h.to_string()).collect();
    Ok(format!(
        r#"#!/usr/bin/env python3
"""Reproduces a Pruning Playground experiment in PyTorch (generated; edit freely).

Data: run `pruning-playground data --dataset {dataset} --seed {data_seed} --out data.safetensors`
first (the same samples the playground used). Random draws differ from the playground's (torch's
generator is not ChaCha8), so expect the same behaviour, not the same digits.
Needs: pip install torch safetensors
"""
import copy
import torch
from torch import nn
from torch.nn.utils import prune
from safetensors.torch import load_file

SEED = {seed}
HIDDEN = [{hidden}]
EPOCHS = {epochs}            # per level
BATCH = {batch}
LEVELS = {levels}            # pruning levels after the dense level 0
FRACTION = {fraction}        # of the remaining weights (or neurons) per level
OUTPUT_RATE = {output_rate}  # the output layer is pruned at FRACTION * OUTPUT_RATE
RULE = {rule}           # global | layer | random | neurons
RESET = {reset}          # keep | init | step:K | reinit
CONTROLS = [{controls}]
L1 = {l1}

data = load_file("data.safetensors")
x_train, y_train, x_test, y_test = data["x_train"], data["y_train"], data["x_test"], data["y_test"]
n_classes = int(torch.cat([y_train, y_test]).max()) + 1
outputs = {outputs}


def targets(y, k, lo, hi):
    if k == 1:
        return torch.where(y == 1, hi, lo).float().unsqueeze(1)
    t = torch.full((len(y), k), float(lo))
    t[torch.arange(len(y)), y] = hi
    return t


def make_model(seed):
    torch.manual_seed(seed)
    widths = [x_train.shape[1], *HIDDEN, outputs]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        layers.append({hidden_act} if i < len(widths) - 2 else {out_act})
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, nn.Linear):
            {init}
    return model


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def train(model, seed, save_step=None):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = {optimizer}
    g = torch.Generator().manual_seed(seed)
    saved, step, history = None, 0, []
    for epoch in range(EPOCHS):
        for idx in torch.randperm(len(x_train), generator=g).split(BATCH):
            x, y = x_train[idx], y_train[idx]
            out = model(x)
            loss = {loss}
            if L1:
                loss = loss + L1 * sum(m.weight.abs().sum() for m in linears(model))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if save_step is not None and step == save_step:
                saved = copy.deepcopy(model.state_dict())
        with torch.no_grad():
            out = model(x_test)
            pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0).long()
            history.append((pred == y_test).float().mean().item())
    return history, saved


def prune_level(model, fraction):
    layers = linears(model)
    hidden, output = layers[:-1], layers[-1]
    if RULE == "global":
        prune.global_unstructured([(m, "weight") for m in hidden], prune.L1Unstructured, amount=fraction)
    elif RULE == "layer":
        for m in hidden:
            prune.l1_unstructured(m, "weight", amount=fraction)
    elif RULE == "random":
        for m in hidden:
            prune.random_unstructured(m, "weight", amount=fraction)
    else:  # neurons: mask whole rows of incoming weights (torch keeps the shape)
        for m in hidden:
            prune.ln_structured(m, "weight", amount=fraction, n=2, dim=0)
    if OUTPUT_RATE > 0 and RULE != "neurons":
        prune.l1_unstructured(output, "weight", amount=fraction * OUTPUT_RATE)
    for m in layers:
        if not prune.is_pruned(m):
            prune.identity(m, "weight")


def masks(model):
    return [m.weight_mask.clone() for m in linears(model)]


def reset(model, theta0, saved, level):
    layers = linears(model)
    if RESET == "keep":
        return
    if RESET == "reinit":
        fresh = linears(make_model(SEED + 1000 + level))
        source = [(f.weight.data, f.bias.data) for f in fresh]
    else:
        state = theta0 if RESET == "init" else saved
        source = [(state[f"{{2 * i}}.weight"], state[f"{{2 * i}}.bias"]) for i in range(len(layers))]
    with torch.no_grad():
        for m, (w, b) in zip(layers, source):
            m.weight_orig.copy_(w)
            m.bias.copy_(b)


def density(model):
    ms = masks(model)
    return sum(m.sum().item() for m in ms) / sum(m.numel() for m in ms)


model = make_model(SEED)
theta0 = copy.deepcopy(model.state_dict())
save_step = int(RESET.split(":")[1]) if RESET.startswith("step:") else None
history, saved = train(model, SEED, save_step)
print(f"level 0 ticket density 1.000 best test accuracy {{max(history):.3f}}")
for level in range(1, LEVELS + 1):
    prune_level(model, FRACTION)
    reset(model, theta0, saved, level)
    history, _ = train(model, SEED)
    print(f"level {{level}} ticket density {{density(model):.3f}} best test accuracy {{max(history):.3f}}")
    for control in CONTROLS:
        other = make_model(SEED + 2000 + level if control == "random-reinit" else SEED)
        for m, mask in zip(linears(other), masks(model)):
            if control == "random-mask":
                mask = mask.flatten()[torch.randperm(mask.numel())].view_as(mask)
            prune.custom_from_mask(m, "weight", mask)
        h, _ = train(other, SEED)
        print(f"level {{level}} {{control}} density {{density(other):.3f}} best test accuracy {{max(h):.3f}}")
"#,
        dataset = exp.dataset.kind,
        data_seed = exp.dataset.seed,
        seed = exp.seed,
        hidden = hidden.join(", "),
        epochs = spec.epochs,
        batch = train.batch_size,
        levels = spec.levels,
        fraction = lottery.fraction,
        output_rate = lottery.output_rate,
        rule = py_str(amount_fn),
        reset = py_str(&reset),
        controls = controls.join(", "),
        l1 = train.l1,
        outputs = if train.loss == crate::train::Loss::Mse {
            "1 if n_classes == 2 else n_classes"
        } else {
            "n_classes"
        },
        hidden_act = act(&exp.activation),
        out_act = act(&out_act),
        init = init,
        optimizer = optimizer,
        loss = loss,
    ))
}
