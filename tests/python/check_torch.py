"""The generated PyTorch script prunes as the engine does: checked in real torch.

Usage: python check_torch.py --bin PATH/TO/pruning-playground [--workdir DIR]

Runs in one Python process (torch is imported once):

1. Lottery matrix. For structure x score x scope, with the output rate and the reset cycled
   through every value, plus the issue's moons 16-16 neurons 0.25 case: `lottery --json` (the
   engine) and the generated script's `--json` (torch), with both controls. The number of
   weights alive in every layer at every (branch, level) must be equal where the rule fixes it
   whatever the weights: every layer under layer scope; under global scope the ranked total
   (weights alive in the globally ranked layers, or hidden neurons left) and the output layer
   when it is ranked on its own. Only random draws differ between the two.
2. Same weights, same masks. For every structure x score (magnitude, lp:P) x scope x output
   rate, and for N:M patterns: the CLI's `prune` on a trained (and a pruned) model file, and
   the script's `prune_step` on the same weights loaded in torch: the masks (weights) or the
   neurons kept must be identical, global scope included.

3. Exports in torch. Models written by `lottery --export` in both forms (`--form pruned`:
   torch.nn.utils.prune's weight_orig / weight_mask, loaded after prune.identity; `--form
   plain`: loaded into a bare nn.Sequential) and their θ₀ files (`--with-init`), weights and
   neurons pruned: `load_state_dict(strict=True)` takes each file, and the torch outputs equal
   the CLI's `predict --json` within 1e-5.

Exit status 0 if everything agrees, 1 otherwise; prints one line per case and the figures.
"""

import argparse
import contextlib
import io
import json
import os
import runpy
import subprocess
import sys
import tempfile
import time

import torch
from safetensors import safe_open
from safetensors.torch import load_file

# Small and fast: 200 moons (100 train), batch 20, one epoch per level, two levels.
DATA = ["--dataset", "moons", "--samples", "200", "--seed", "0"]
COMMON = DATA + ["--batch", "20", "--epochs", "1", "--levels", "2", "--serial"]
SCORES = ["magnitude", "lp:2", "lp:inf", "lp:1:raw", "random", "snip", "synflow", "grasp"]
RATES = ["0.5", "0", "1"]
RESETS = ["init", "keep", "step:3", "reinit"]

failures = []
# The engine's training rows (after its validation split), from `pruning-playground data`.
TRAIN_ROWS = [None]


def cli(bin_path, *args):
    out = subprocess.run([bin_path, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def load_script(bin_path, workdir, name, args):
    """Generates the script for `args` and loads its functions without running it."""
    path = os.path.join(workdir, f"{name}.py")
    with open(path, "w") as f:
        f.write(cli(bin_path, "script", *args))
    return runpy.run_path(path, run_name="pp_script")


def original_sizes(widths):
    return [widths[i] * widths[i + 1] for i in range(len(widths) - 1)]


def counts(row, widths):
    """Weights alive per layer, from the per-layer densities over the dense layers' sizes."""
    return [round(d * s) for d, s in zip(row["layer_density"], original_sizes(widths))]


def neurons_left(alive, widths):
    """Hidden neurons left per layer, from weights alive per layer under neuron pruning (every
    weight between two kept neurons is alive): kept_l = alive_l / kept_(l-1)."""
    kept, prev = [], widths[0]
    for a in alive[:-1]:
        prev = a // prev
        kept.append(prev)
    return kept


def fixed_part(row, widths, structure, scope, rate):
    """What the pruning rule fixes whatever the weights: the comparison key."""
    alive = counts(row, widths)
    if scope == "layer":
        return alive
    if structure == "neurons":
        return {"hidden neurons left": sum(neurons_left(alive, widths))}
    if rate == "1":
        return {"weights alive": sum(alive)}
    return {"hidden layers' weights alive": sum(alive[:-1]), "output layer": alive[-1]}


def lottery_case(bin_path, workdir, data_path, n, opts, hidden="12,10"):
    args = COMMON + ["--hidden", hidden, "--controls", "random-reinit,random-mask"] + opts
    engine = [json.loads(line) for line in cli(bin_path, "lottery", *args, "--json").splitlines()]
    mod = load_script(bin_path, workdir, f"case{n}", args)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mod["main"](["--json", "--data", data_path])
    script = [json.loads(line) for line in buf.getvalue().splitlines()]
    o = dict(zip(opts[::2], opts[1::2]))
    widths = [2, *map(int, hidden.split(",")), 2]
    key = (o["--structure"], o["--scope"], o.get("--output-rate", "0.5"))
    label = " ".join(opts)
    ok = len(engine) == len(script)
    lines = []
    reset = o.get("--init", "init")
    k = int(reset.split(":")[1]) if reset.startswith("step:") else 0
    for e, s in zip(engine, script):
        ke, ks = fixed_part(e, widths, *key), fixed_part(s, widths, *key)
        # Steps trained at this level: T, or T - K for a ticket level after rewinding to step K.
        start = k if e["branch"] == "ticket" and e["level"] > 0 else 0
        steps_e = e["last_step"] - start
        same = ((e["branch"], e["level"]) == (s["branch"], s["level"]) and ke == ks
                and e["last_step"] == s["last_step"] and steps_e == s["steps"]
                and s["train_rows"] == TRAIN_ROWS[0]
                and (e["early_stop_epoch"] is None) == (s["early_stop_epoch"] is None))
        ok &= same
        lines.append(f"    {e['branch']:<13} level {e['level']}: engine {ke} density "
                     f"{e['density']:.4f} steps {steps_e}, torch {ks} density "
                     f"{s['density']:.4f} steps {s['steps']} rows {s['train_rows']}"
                     f"{'' if same else '   <-- DIFFERENT'}")
    print(f"{'ok  ' if ok else 'FAIL'} lottery {label}")
    if not ok:
        print("\n".join(lines))
        failures.append(f"lottery {label}")
    return engine, script


def torch_model(mod, path):
    """A model file loaded into the script's model (masks on weights and biases)."""
    with safe_open(path, "pt") as f:
        widths = json.loads(f.metadata()["architecture"])
    t = load_file(path)
    model = mod["build_model"](widths)
    masks, params = [], []
    for l in range(len(widths) - 1):
        i = 2 * l
        w = t.get(f"{i}.weight", t.get(f"{i}.weight_orig"))
        masks.append((t.get(f"{i}.weight_mask", torch.ones_like(w)), torch.ones(w.shape[0])))
        params.append((w, t[f"{i}.bias"]))
    mod["set_masks"](model, masks)
    mod["set_params"](model, params)
    return model


def same_weights_case(bin_path, workdir, model_path, structure, score, scope, rate, n):
    args = ["--structure", structure, "--score", score, "--scope", scope,
            "--output-rate", rate, "--fraction", "0.3"]
    out = os.path.join(workdir, f"pruned{n}.safetensors")
    cli(bin_path, "prune", "--model", model_path, *args, "--out", out)
    mod = load_script(bin_path, workdir, f"prune{n}", DATA + args)
    model = torch_model(mod, model_path)
    mod["prune_step"](model, None, 0.3)
    got = load_file(out)
    with safe_open(out, "pt") as f:
        meta = f.metadata()
    label = f"{os.path.basename(model_path)} {' '.join(args)}"
    if structure == "neurons":
        engine = json.loads(meta["neuron_ids"])
        script = [torch.nonzero(a).flatten().tolist() for a in mod["neurons_alive"](model)]
        ok = engine == script
        detail = f"neurons kept: engine {[len(k) for k in engine]}, torch {[len(k) for k in script]}"
    else:
        engine = [got.get(f"{2 * l}.weight_mask", torch.ones_like(m.weight_mask))
                  for l, m in enumerate(mod["linears"](model))]
        script = [m.weight_mask for m in mod["linears"](model)]
        ok = all(torch.equal(a, b) for a, b in zip(engine, script))
        diff = sum(int((a != b).sum()) for a, b in zip(engine, script))
        detail = (f"alive per layer: engine {[int(a.sum()) for a in engine]}, torch "
                  f"{[int(b.sum()) for b in script]}, {diff} positions differ")
    print(f"{'ok  ' if ok else 'FAIL'} same weights {label}: {detail}")
    if not ok:
        failures.append(f"same weights {label}")


def pattern_case(bin_path, workdir, model_path, score, pattern, n):
    """`prune --pattern` (the engine) and the script's one-shot prune_step under the same
    PATTERN on the same weights: identical masks."""
    args = ["--score", score, "--pattern", pattern]
    out = os.path.join(workdir, f"pattern{n}.safetensors")
    cli(bin_path, "prune", "--model", model_path, *args, "--out", out)
    mod = load_script(bin_path, workdir, f"pattern{n}", DATA + args)
    model = torch_model(mod, model_path)
    mod["prune_step"](model, None)
    got = load_file(out)
    engine = [got.get(f"{2 * l}.weight_mask", torch.ones_like(m.weight_mask))
              for l, m in enumerate(mod["linears"](model))]
    script = [m.weight_mask for m in mod["linears"](model)]
    ok = all(torch.equal(a, b) for a, b in zip(engine, script))
    label = f"{os.path.basename(model_path)} {' '.join(args)}"
    print(f"{'ok  ' if ok else 'FAIL'} same weights {label}: alive per layer: engine "
          f"{[int(a.sum()) for a in engine]}, torch {[int(b.sum()) for b in script]}")
    if not ok:
        failures.append(f"same weights {label}")


def synflow_rounds_case(bin_path, workdir, model_path, fraction, rounds):
    """Iterative SynFlow on the same weights: the engine's `prune --count` applied round after
    round, the counts of its exponential schedule (recomputed here: round r keeps
    round(N * d^(r/R)), the last round N - round(F * N)), against the script's score_synflow
    (float64) with the same global selection. The masks must agree after every round."""
    args = ["--structure", "weights", "--score", "synflow", "--scope", "global",
            "--output-rate", "1"]
    mod = load_script(bin_path, workdir, "synflow-rounds", DATA + args + ["--fraction", "0.3"])
    model = torch_model(mod, model_path)
    total = sum(int(m.weight_mask.sum()) for m in mod["linears"](model))
    last = total - round(fraction * total)
    d = last / total
    keep = [last if r == rounds else min(max(round(total * d ** (r / rounds)), last), total)
            for r in range(1, rounds + 1)]
    current = model_path
    label = f"synflow {rounds} rounds to {fraction} on {os.path.basename(model_path)}"
    for r, k in enumerate(keep):
        weight_masks = [wm for wm, _ in mod["masks"](model)]
        alive_now = sum(int(m.sum()) for m in weight_masks)
        n = alive_now - k
        out = os.path.join(workdir, f"synflow-round{r}.safetensors")
        cli(bin_path, "prune", "--model", current, *args, "--count", str(n), "--out", out)
        current = out
        scores = mod["score"](model, mod["masked_weights"](model), None)
        flat_scores = torch.cat([s.flatten() for s in scores])
        flat_mask = torch.cat([m.flatten() for m in weight_masks])
        alive = torch.nonzero(flat_mask != 0).flatten()
        flat_mask[alive[mod["lowest"](flat_scores[alive], n)]] = 0
        parts = flat_mask.split([m.numel() for m in weight_masks])
        mod["set_masks"](model, [(p.view_as(wm), bm) for p, wm, (_, bm)
                                 in zip(parts, weight_masks, mod["masks"](model))])
        got = load_file(out)
        engine = [got.get(f"{2 * l}.weight_mask", torch.ones_like(m.weight_mask))
                  for l, m in enumerate(mod["linears"](model))]
        script = [m.weight_mask for m in mod["linears"](model)]
        diff = sum(int((a != b).sum()) for a, b in zip(engine, script))
        if diff:
            print(f"FAIL {label}: round {r + 1} keeps {k}, {diff} positions differ")
            failures.append(label)
            return
    print(f"ok   {label}: {total} -> {keep[-1]} weights, the same masks after every round")


ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
               "linear": torch.nn.Identity}
TOLERANCE = 1e-5


def bare_sequential(meta):
    """nn.Sequential(Linear, act, ..., Linear, out_act) from a model file's metadata."""
    w = json.loads(meta["architecture"])
    layers = []
    for i in range(len(w) - 1):
        layers.append(torch.nn.Linear(w[i], w[i + 1]))
        act = meta["output_activation"] if i == len(w) - 2 else meta["activation"]
        layers.append(ACTIVATIONS[act]())
    return torch.nn.Sequential(*layers)


def export_case(bin_path, data_path, path, form):
    """Loads a model file as a PyTorch user would (strict) and compares with `predict --json`."""
    with safe_open(path, "pt") as f:
        meta = f.metadata()
    state = load_file(path)
    model = bare_sequential(meta)
    masked = [k for k in state if k.endswith(".weight_mask")]
    if form == "pruned":
        for k in masked:
            torch.nn.utils.prune.identity(model[int(k.split(".")[0])], "weight")
    elif masked:
        raise AssertionError(f"{path}: a {form} file has masks: {masked}")
    model.load_state_dict(state, strict=True)
    data = load_file(data_path)
    with torch.no_grad():
        out = model(data["x_test"]).double()
    rust = torch.tensor(json.loads(cli(bin_path, "predict", "--model", path, *DATA, "--json")),
                        dtype=torch.float64)
    diff = (out - rust).abs().max().item()
    ok = diff <= TOLERANCE and out.shape == rust.shape
    print(f"{'ok  ' if ok else 'FAIL'} export {os.path.basename(path)} ({form}, strict=True, "
          f"{len(masked)} masked layers): max |torch - predict| = {diff:.2e}")
    if not ok:
        failures.append(f"export {path}")
    return state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="pp-torch-")
    os.makedirs(workdir, exist_ok=True)
    t0 = time.time()
    torch.set_num_threads(1)
    data_path = os.path.join(workdir, "data.safetensors")
    wrote = cli(args.bin, "data", *DATA, "--out", data_path)
    # "wrote PATH: moons, N train / V validation / M test samples, …": N is what the engine
    # trains on; the data file's x_train must hold exactly those rows.
    TRAIN_ROWS[0] = int(wrote.split(", ")[1].split(" train")[0])
    with safe_open(data_path, "pt") as f:
        rows = f.get_slice("x_train").get_shape()[0]
        has_val = "x_val" in f.keys()
    ok = rows == TRAIN_ROWS[0] and has_val
    print(f"{'ok  ' if ok else 'FAIL'} data: the engine trains on {TRAIN_ROWS[0]} rows, "
          f"x_train holds {rows}")
    if not ok:
        failures.append("data: training rows")

    # 1. The lottery matrix: every structure x score x scope, the rate and reset cycled.
    n = 0
    for structure in ["weights", "neurons"]:
        for score in SCORES:
            for scope in ["layer", "global"]:
                opts = ["--structure", structure, "--score", score, "--scope", scope,
                        "--fraction", "0.3", "--init", RESETS[n % len(RESETS)]]
                if structure == "weights":
                    opts += ["--output-rate", RATES[n % len(RATES)]]
                lottery_case(args.bin, workdir, data_path, n, opts)
                n += 1
    # MSE (one output), momentum with weight decay, L1, a sigmoid network.
    lottery_case(args.bin, workdir, data_path, n,
                 ["--structure", "weights", "--score", "magnitude", "--scope", "layer",
                  "--fraction", "0.5", "--output-rate", "0.5", "--init", "init", "--loss", "mse",
                  "--optimizer", "momentum", "--l2", "0.01", "--l1", "0.001",
                  "--activation", "sigmoid"])
    n += 1
    # The case: moons 16-16, neurons at 0.25, the CLI's default global scope (the old
    # script reached density 0.775 at level 1 where the engine has 0.55), and layer scope.
    for scope in ["global", "layer"]:
        engine, script = lottery_case(
            args.bin, workdir, data_path, n,
            ["--structure", "neurons", "--score", "magnitude", "--scope", scope,
             "--fraction", "0.25", "--init", "init"], hidden="16,16")
        for level in (1, 2):
            e = next(r for r in engine if (r["branch"], r["level"]) == ("ticket", level))
            s = next(r for r in script if (r["branch"], r["level"]) == ("ticket", level))
            print(f"     moons 16-16 neurons 0.25 {scope} level {level}: engine density "
                  f"{e['density']:.4f}, torch {s['density']:.4f}")
        n += 1

    # Per-layer rates (layer scope): a layer at half the fraction, a layer left dense; weights
    # and neurons. The per-layer counts the rule fixes must agree level by level.
    for structure, rates in [("weights", "0.5,0"), ("weights", "1,0.3125"), ("neurons", "0,1")]:
        lottery_case(args.bin, workdir, data_path, n,
                     ["--structure", structure, "--score", "magnitude", "--scope", "layer",
                      "--fraction", "0.4", "--init", "init", "--layer-rates", rates])
        n += 1

    # N:M patterns: each level's k:m (2:4 over the two levels is 3:4, then 2:4; rows of 2 and
    # 10 inputs end in short groups), the random mask a random k:m mask: every layer's count
    # is fixed whatever the weights.
    for pattern, reset in [("2:4", "init"), ("1:4", "keep")]:
        lottery_case(args.bin, workdir, data_path, n,
                     ["--structure", "weights", "--score", "magnitude", "--scope", "layer",
                      "--pattern", pattern, "--init", reset])
        n += 1

    # 2. Same weights, same masks: a trained dense model and a magnitude-pruned one.
    export = os.path.join(workdir, "export")
    cli(args.bin, "lottery", *DATA, "--hidden", "12,10", "--batch", "20", "--epochs", "2",
        "--levels", "1", "--controls", "", "--scope", "layer", "--export", export, "--serial")
    models = [os.path.join(export, f"ticket-level-{l}.safetensors") for l in (0, 1)]
    e = 0
    # 3. Exports in torch: both forms, their θ₀ files, weights and neurons pruned.
    for structure in ["weights", "neurons"]:
        for form in ["pruned", "plain"]:
            out = os.path.join(workdir, f"export-{structure}-{form}")
            cli(args.bin, "lottery", *DATA, "--hidden", "12,10", "--batch", "20", "--epochs",
                "2", "--levels", "2", "--controls", "random-mask", "--scope", "layer",
                "--structure", structure, "--export", out, "--form", form, "--with-init",
                "--serial")
            inits = []
            for name in sorted(os.listdir(out)):
                path = os.path.join(out, name)
                kind = "plain" if name.endswith(".init.safetensors") else form
                state = export_case(args.bin, data_path, path, kind)
                e += 1
                if name.startswith("ticket-") and kind == "plain" and "init" in name:
                    inits.append(state)
            # Rewinding to θ₀: every ticket level's θ₀ is the dense θ₀, cut to its neurons.
            first = inits[0]
            ok = all(torch.equal(first[k][tuple(slice(0, n) for n in v.shape)], v)
                     for s in inits[1:] for k, v in s.items()) if structure == "weights" else True
            ok &= all(set(s) == set(first) for s in inits)
            print(f"{'ok  ' if ok else 'FAIL'} theta0 files of {structure} {form}: "
                  f"{len(inits)} ticket levels, the same keys{', the same values' if structure == 'weights' else ''}")
            if not ok:
                failures.append(f"theta0 {structure} {form}")
    m = 0
    for model_path in models:
        for structure in ["weights", "neurons"]:
            for score in ["magnitude", "lp:1", "lp:2", "lp:3", "lp:inf", "lp:1:raw", "lp:inf:raw",
                          "synflow"]:
                for scope in ["layer", "global"]:
                    for rate in (RATES if structure == "weights" else ["0.5"]):
                        same_weights_case(args.bin, workdir, model_path, structure, score,
                                          scope, rate, m)
                        m += 1
    for model_path in models:
        for score in ["magnitude", "lp:2", "synflow"]:
            for pattern in ["2:4", "1:4", "3:8"]:
                pattern_case(args.bin, workdir, model_path, score, pattern, m)
                m += 1
    # Iterative SynFlow at initialization (the dense θ₀ of level 0's file is not kept, so the
    # dense trained model stands in: the score is data-free either way).
    synflow_rounds_case(args.bin, workdir, models[0], 0.9, 20)

    print(f"\ncheck_torch: {n} lottery cases, {m} same-weights cases, {e} export files, "
          f"{len(failures)} failed, "
          f"{time.time() - t0:.0f} s (torch {torch.__version__})")
    for f in failures:
        print(f"  FAILED: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
