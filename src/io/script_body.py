

# ---------------------------------------------------------------------------------------------
# Everything below is the same for every experiment: the settings above choose what it does.
#
# Every Linear carries torch.nn.utils.prune's parametrization on its weight AND its bias from
# the start (masks of ones): the layer computes (weight_orig * weight_mask) x + bias_orig *
# bias_mask. A pruned weight has 0 in its mask and in weight_orig, as in the playground, where a
# masked weight is exactly 0. A removed neuron (STRUCTURE = "neurons") is the playground's
# physical removal expressed with masks: its row of incoming weights, its bias and its column of
# outgoing weights in the next layer are masked, so it contributes nothing, and the densities
# (weights alive over the dense network's weights) are the playground's.


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def build_model(widths):
    """nn.Sequential(Linear, act, ..., Linear, out_act) with masks of ones on weights and biases."""
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        last = i == len(widths) - 2
        layers.append(ACTIVATIONS[OUTPUT_ACTIVATION if last else ACTIVATION]())
    model = nn.Sequential(*layers)
    for m in linears(model):
        prune.identity(m, "weight")
        prune.identity(m, "bias")
    return model


def make_model(widths, seed):
    torch.manual_seed(seed)
    model = build_model(widths)
    with torch.no_grad():
        for m in linears(model):
            init_layer(m)
    return model


def masks(model):
    """Per layer: (weight mask, bias mask), copies."""
    return [(m.weight_mask.clone(), m.bias_mask.clone()) for m in linears(model)]


def set_masks(model, new):
    """Installs masks and zeroes what they mask (a pruned weight is exactly 0)."""
    with torch.no_grad():
        for m, (wm, bm) in zip(linears(model), new):
            m.weight_mask.copy_(wm)
            m.bias_mask.copy_(bm)
            m.weight_orig.mul_(wm)
            m.bias_orig.mul_(bm)


def params(model):
    return [(m.weight_orig.detach().clone(), m.bias_orig.detach().clone()) for m in linears(model)]


def set_params(model, source):
    """Copies weights and biases in; the masks stay (and keep masked entries at 0)."""
    with torch.no_grad():
        for m, (w, b) in zip(linears(model), source):
            m.weight_orig.copy_(w * m.weight_mask)
            m.bias_orig.copy_(b * m.bias_mask)


def clone(model):
    """A copy: the same widths, weights, biases and masks (copy.deepcopy refuses the computed
    weight and bias of a pruned module)."""
    layers = linears(model)
    other = build_model([layers[0].in_features] + [m.out_features for m in layers])
    set_masks(other, masks(model))
    set_params(other, params(model))
    return other


def masked_weights(model):
    return [(m.weight_orig * m.weight_mask).detach() for m in linears(model)]


def neurons_alive(model):
    """Per hidden layer: which neurons are still there (their bias is not masked)."""
    return [m.bias_mask != 0 for m in linears(model)[:-1]]


def density(model):
    ms = [m.weight_mask for m in linears(model)]
    per_layer = [float(m.sum()) / m.numel() for m in ms]
    return sum(float(m.sum()) for m in ms) / sum(m.numel() for m in ms), per_layer


# ---- scores: one function per score name; the lowest scores are pruned ---------------------
# Each takes the model, its masked weights and the data, and returns per layer a tensor shaped
# like the weights (STRUCTURE = "weights") or per hidden layer one score per neuron ("neurons").
# Norms are taken in float64 and stored as float32, as the playground does.


def lp_norm(v, p, dim=None):
    v = v.double().abs()
    if p == math.inf:
        return v.amax() if dim is None else v.amax(dim)
    if p == 1:
        return v.sum() if dim is None else v.sum(dim)
    s = v.pow(p).sum() if dim is None else v.pow(p).sum(dim)
    return s.pow(1.0 / p)


def fan_in_normalized(norms, weights, p):
    """Each layer's neuron norms over the norm of a typical row of n = fan-in weights of size
    1/sqrt(n): n^(1/p - 1/2) (sqrt(n) for L1, 1 for L2), so that a global ranking does not strip
    the layers with few inputs. Divided in float64, stored as float32, as the playground does."""
    out = []
    for s, w in zip(norms, weights):
        n = w.shape[1]
        typical = float(n) ** (1.0 / p - 0.5)
        out.append((s.double() / typical).float())
    return out


def score_magnitude(model, weights, data):
    """|w|; for a neuron, the L1 norm of its incoming weights over sqrt(fan-in)."""
    if STRUCTURE == "neurons":
        return fan_in_normalized([lp_norm(w, 1, dim=1).float() for w in weights[:-1]], weights, 1)
    return [w.abs() for w in weights]


def score_lp(model, weights, data, p):
    """Weights: |w| / ||W_layer||_p. Neurons: the Lp norm of the incoming weights over the norm of
    a typical row (fan_in_normalized)."""
    if STRUCTURE == "neurons":
        return fan_in_normalized([lp_norm(w, p, dim=1).float() for w in weights[:-1]], weights, p)
    out = []
    for w in weights:
        norm = lp_norm(w, p)
        out.append((w.double().abs() / norm).float() if norm > 0 else torch.zeros_like(w))
    return out


def score_lp_raw(model, weights, data, p):
    """The plain norm: weights |w|; neurons the Lp norm of the incoming weights (ln_structured's)."""
    if STRUCTURE == "neurons":
        return [lp_norm(w, p, dim=1).float() for w in weights[:-1]]
    return [w.abs() for w in weights]


def score_random(model, weights, data):
    """U(0, 1): the control (torch's draws, not the playground's)."""
    if STRUCTURE == "neurons":
        return [torch.rand(w.shape[0]) for w in weights[:-1]]
    return [torch.rand(w.shape) for w in weights]


def score_snip(model, weights, data):
    """Connection sensitivity |w * dL/dw| on the whole training set (Lee et al. 2019)."""
    x, y = data["x_train"], data["y_train"]
    origs = [m.weight_orig for m in linears(model)]
    grads = torch.autograd.grad(loss_fn(model(x), y), origs)
    per_weight = [(w * g.detach()).abs() for w, g in zip(weights, grads)]
    if STRUCTURE == "neurons":
        return [s.sum(1) for s in per_weight[:-1]]
    return per_weight


def score_synflow(model, weights, data):
    """Synaptic flow |w * dR/dw| (Tanaka et al. 2020), data-free: on a copy whose every weight
    and bias is replaced by its absolute value (masked weights stay 0), R is the sum of the
    outputs for one input row of ones; float64, as the reference computes it."""
    net = clone(model).double()
    with torch.no_grad():
        for m in linears(net):
            m.weight_orig.abs_()
            m.bias_orig.abs_()
    layers = linears(net)
    R = net(torch.ones(1, layers[0].in_features, dtype=torch.float64)).sum()
    grads = torch.autograd.grad(R, [m.weight_orig for m in layers])
    per_weight = [(m.weight_orig * m.weight_mask * g).detach().abs() for m, g in zip(layers, grads)]
    if STRUCTURE == "neurons":
        return [s.sum(1) for s in per_weight[:-1]]
    return per_weight


def score_grasp(model, weights, data):
    """GraSP (Wang et al. 2020) on the whole training set, float64, with the playground's sign:
    w * Hg, g = dL/dw and Hg = d(g . g.detach())/dw over the weights (biases held fixed). The
    reference scores -w * Hg and removes the highest, which prunes the same weights as removing
    the lowest w * Hg."""
    x, y = data["x_train"], data["y_train"]
    net = clone(model).double()
    layers = linears(net)
    origs = [m.weight_orig for m in layers]
    grads = torch.autograd.grad(loss_fn(net(x.double()), y), origs, create_graph=True)
    z = sum((g * g.detach()).sum() for g in grads)
    hg = torch.autograd.grad(z, origs)
    per_weight = [(m.weight_orig * m.weight_mask * h).detach() for m, h in zip(layers, hg)]
    if STRUCTURE == "neurons":
        return [s.sum(1) for s in per_weight[:-1]]
    return per_weight


# ---- what goes: exactly k, the k lowest scores, ties to the lower flat index ----------------


def n_to_prune(fraction, n):
    """round(fraction * n) with Python's round (half to even, as torch.nn.utils.prune), at most n."""
    return min(round(fraction * n), n)


def lowest(scores, k):
    """Positions of the k lowest scores; equal scores go in index order (a stable sort)."""
    if torch.isnan(scores).any():
        raise ValueError("an importance score is NaN; the model holds non-finite values")
    return torch.sort(scores.double(), stable=True).indices[:k]


def layer_rate(l):
    """The rate of layer l before the output (neurons: hidden layer l); 1 without LAYER_RATES."""
    return LAYER_RATES[l] if l < len(LAYER_RATES) else 1.0


def select_weights(scores, old, fraction):
    """New weight masks: each ranking group loses n_to_prune(f, alive in the group) weights."""
    n = len(old)
    out = n - 1
    joins = OUTPUT_RATE == 1
    main = [l for l in range(n) if l < out or joins]
    if SCOPE == "global":
        groups = [(main, fraction)]
    else:
        rates = [(l, layer_rate(l) if l < out else 1.0) for l in main]
        groups = [([l], fraction * r) for l, r in rates if r > 0]
    if not joins and OUTPUT_RATE > 0:
        groups.append(([out], fraction * OUTPUT_RATE))
    new = [m.clone() for m in old]
    for units, f in groups:
        flat_scores = torch.cat([scores[u].flatten() for u in units])
        flat_mask = torch.cat([new[u].flatten() for u in units])
        alive = torch.nonzero(flat_mask != 0).flatten()
        gone = alive[lowest(flat_scores[alive], n_to_prune(f, len(alive)))]
        flat_mask[gone] = 0
        for u, part in zip(units, flat_mask.split([new[u].numel() for u in units])):
            new[u] = part.view_as(new[u])
    return new


def select_neurons(scores, alive, fraction):
    """Neurons to keep: each ranking group loses n_to_prune(f, neurons in the group), but every
    hidden layer keeps its best-ranked neuron."""
    keep = [a.clone() for a in alive]
    if SCOPE == "global":
        groups = [(list(range(len(alive))), fraction)]
    else:
        groups = [([h], fraction * layer_rate(h)) for h in range(len(alive)) if layer_rate(h) > 0]
    for units, f in groups:
        ids = [(h, int(i)) for h in units for i in torch.nonzero(alive[h]).flatten()]
        flat = torch.cat([scores[h][alive[h]] for h in units])
        k = n_to_prune(f, len(ids))
        order = [int(j) for j in lowest(flat, len(ids))]
        # The last of each layer in the ranking is its best neuron: it stays.
        best = {ids[j][0]: j for j in order}
        ranked = [j for j in order if best[ids[j][0]] != j]
        for j in ranked[:k]:
            h, i = ids[j]
            keep[h][i] = False
    return keep


def neuron_masks(model, keep):
    """Weight and bias masks that remove every neuron not kept: row, bias and next column."""
    layers = linears(model)
    out = []
    for l, m in enumerate(layers):
        rows = keep[l] if l < len(keep) else torch.ones(m.out_features, dtype=torch.bool)
        cols = keep[l - 1] if l > 0 else torch.ones(m.in_features, dtype=torch.bool)
        wm = m.weight_mask * (rows[:, None] & cols[None, :]).float()
        out.append((wm, m.bias_mask * rows.float()))
    return out


def keep_at_step(step, steps):
    """Weights each group of M keeps after step `step` of `steps` towards PATTERN = (N, M):
    M - round((M - N) * step / steps), Python's round (half to even), never below N. 2:4 over
    2 levels is 3:4, then 2:4; a step that keeps M prunes nothing."""
    n, m = PATTERN
    steps = max(steps, 1)
    return m - min(round((m - n) * min(step, steps) / steps), m - n)


def select_pattern(scores, old, k, m):
    """New weight masks under k:m: in every group of m consecutive inputs of a neuron (a row;
    a short last group too), the alive weights beyond k go, the lowest scores first, ties to
    the lower index; masked weights stay masked."""
    new = []
    for mask, s in zip(old, scores):
        rows, cols = mask.shape
        pad = -cols % m
        alive = nn.functional.pad(mask, (0, pad)).view(rows, -1, m) != 0
        sc = nn.functional.pad(s.double(), (0, pad)).view(rows, -1, m)
        if torch.isnan(sc[alive]).any():
            raise ValueError("an importance score is NaN; the model holds non-finite values")
        # Masked and padding entries sort last; a stable sort ranks equal scores by index.
        sc = torch.where(alive, sc, torch.full_like(sc, math.inf))
        order = torch.sort(sc, dim=-1, stable=True).indices
        rank = torch.empty_like(order)
        rank.scatter_(-1, order, torch.arange(m).expand_as(order).contiguous())
        drop = alive.sum(-1, keepdim=True) - k
        keep = alive & ~(rank < drop)
        new.append(keep.view(rows, -1)[:, :cols].to(mask.dtype).contiguous())
    return new


def prune_step(model, data, fraction=FRACTION, level=1, levels=1):
    """One pruning step in place, as the playground's prune with the settings above (under a
    PATTERN: step `level` of `levels` of its decay; one-shot by default)."""
    scores = score(model, masked_weights(model), data)
    if STRUCTURE == "neurons":
        set_masks(model, neuron_masks(model, select_neurons(scores, neurons_alive(model), fraction)))
    else:
        old = masks(model)
        if PATTERN:
            new = select_pattern(scores, [wm for wm, _ in old], keep_at_step(level, levels), PATTERN[1])
        else:
            new = select_weights(scores, [wm for wm, _ in old], fraction)
        set_masks(model, [(wm, bm) for wm, (_, bm) in zip(new, old)])


def random_masks_like(model, ticket, level=1):
    """The random-mask control: per layer as many weights (or hidden neurons) as the ticket,
    at random positions (under a PATTERN, a random mask of the level's k:m)."""
    if PATTERN and STRUCTURE == "weights":
        old = [wm for wm, _ in masks(model)]
        new = select_pattern([torch.rand(wm.shape) for wm in old], old,
                             keep_at_step(level, LEVELS), PATTERN[1])
        return [(wm, bm) for wm, (_, bm) in zip(new, masks(model))]
    if STRUCTURE == "neurons":
        keep = []
        for alive in neurons_alive(ticket):
            k = torch.zeros_like(alive)
            k[torch.randperm(len(alive))[: int(alive.sum())]] = True
            keep.append(k)
        return neuron_masks(model, keep)
    out = []
    for m, (wm, bm) in zip(linears(model), masks(ticket)):
        new = torch.zeros(wm.numel())
        new[torch.randperm(wm.numel())[: int(wm.sum())]] = 1
        out.append((new.view_as(wm), bm))
    return out


# ---- training --------------------------------------------------------------------------------


def targets(y, k, lo, hi):
    if k == 1:
        return torch.where(y == 1, hi, lo).float().unsqueeze(1)
    t = torch.full((len(y), k), float(lo))
    t[torch.arange(len(y)), y] = hi
    return t


def accuracy(out, y):
    pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > THRESHOLD).long()
    return (pred == y).float().mean().item()


def shifted(x, g):
    """The batch x with each image (SIDE x SIDE, row by row) moved by its own random (dy, dx)
    in {-SHIFT..SHIFT}^2, zero fill: out[r][c] = x[r - dy][c - dx] (the playground's `shift`;
    the offsets come from torch's generator, not ChaCha8). Validation and test data are never
    moved."""
    if SHIFT == 0:
        return x
    n, k = len(x), SHIFT
    padded = nn.functional.pad(x.view(n, SIDE, SIDE), (k, k, k, k))
    out = torch.empty(n, SIDE, SIDE)
    for i, (dy, dx) in enumerate(torch.randint(-k, k + 1, (n, 2), generator=g).tolist()):
        out[i] = padded[i, k - dy:k - dy + SIDE, k - dx:k - dx + SIDE]
    return out.view(n, SIDE * SIDE)


def train(model, data, save_step=None, start_step=0):
    """Up to step T = EPOCHS epochs with a fresh optimizer (as every level and branch of the
    playground), from step start_step (late rewinding: T - start_step steps, the data order going
    on from there); returns, per epoch trained, (epoch, step, test accuracy, validation loss or
    None), and the weights saved after step save_step. x_train holds only the rows the engine
    trains on (`pruning-playground data` writes its validation split as x_val / y_val)."""
    x_train, y_train = data["x_train"], data["y_train"]
    opt = make_optimizer(model)
    g = torch.Generator().manual_seed(SEED)
    g_shift = torch.Generator().manual_seed(SEED)  # the offsets' own stream: the batch order stays
    saved, step, history = None, 0, []
    if save_step == 0:
        saved = params(model)
    for epoch in range(1, EPOCHS + 1):
        trained = False
        for idx in torch.randperm(len(x_train), generator=g).split(BATCH):
            if step < start_step:  # the steps before the rewind point, as the dense run took
                step += 1
                continue
            trained = True
            loss = loss_fn(model(shifted(x_train[idx], g_shift)), y_train[idx])
            if L1:
                loss = loss + L1 * sum(m.weight.abs().sum() for m in linears(model))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step == save_step:
                saved = params(model)
        if not trained:
            continue
        with torch.no_grad():
            val = None
            if "x_val" in data and len(data["x_val"]) > 0:
                val = loss_fn(model(data["x_val"]), data["y_val"]).item()
            history.append((epoch, step, accuracy(model(data["x_test"]), data["y_test"]), val))
    return history, saved


def early_stop(history):
    """The epoch of least validation loss (the first on ties), as the engine's early stopping;
    None without a validation split."""
    best = None
    for h in history:
        if h[3] is not None and math.isfinite(h[3]) and (best is None or h[3] < best[3]):
            best = h
    return best


def report(branch, level, model, history, start_step, n_train, as_json):
    d, per_layer = density(model)
    accs = [h[2] for h in history]
    stop = early_stop(history)
    row = {
        "branch": branch,
        "level": level,
        "density": d,
        "layer_density": per_layer,
        "test_accuracy": accs[-1],
        "best_test_accuracy": max(accs),
        "train_rows": n_train,
        "last_step": history[-1][1],
        "steps": history[-1][1] - start_step,
        "early_stop_epoch": stop[0] if stop else None,
        "early_stop_step": stop[1] if stop else None,
        "early_stop_test_accuracy": stop[2] if stop else None,
    }
    if as_json:
        print(json.dumps(row), flush=True)
    else:
        layers = " ".join(f"{100 * x:.1f}%" for x in per_layer)
        early = f"  early stop: epoch {stop[0]}, test acc {100 * stop[2]:.2f}%" if stop else ""
        print(f"{branch:<13} level {level:>2}  density {100 * d:6.2f}% [{layers}]  "
              f"test acc {100 * accs[-1]:.2f}%  best {100 * max(accs):.2f}%{early}", flush=True)


def run(data, as_json=False):
    n_classes = int(torch.cat([data["y_train"], data["y_test"]]).max()) + 1
    outputs = 1 if LOSS == "mse" and n_classes == 2 else n_classes
    widths = [data["x_train"].shape[1], *HIDDEN, outputs]
    ticket = make_model(widths, SEED)
    theta0 = params(ticket)
    dense = clone(ticket)
    save_step = int(RESET.split(":")[1]) if RESET.startswith("step:") else None
    n_train = len(data["x_train"])
    history, saved = train(ticket, data, save_step)
    report("ticket", 0, ticket, history, 0, n_train, as_json)
    if save_step is not None and saved is None and LEVELS > 0:
        raise SystemExit(f"no weights were saved at step {save_step}: level 0 took fewer steps")
    for level in range(1, LEVELS + 1):
        prune_step(ticket, data, level=level, levels=LEVELS)
        if RESET == "init":
            set_params(ticket, theta0)
        elif RESET == "reinit":
            set_params(ticket, params(make_model(widths, SEED + 1000 + level)))
        elif RESET != "keep":
            set_params(ticket, saved)
        start = clone(ticket)
        # Late rewinding (step:K) retrains T - K steps from step K, as the engine; else all T.
        from_step = save_step if save_step is not None else 0
        history, _ = train(ticket, data, start_step=from_step)
        report("ticket", level, ticket, history, from_step, n_train, as_json)
        for control in CONTROLS:
            if control == "random-reinit":  # the ticket's masks, fresh weights
                other = make_model(widths, SEED + 2000 + level)
                set_masks(other, masks(start))
            else:  # random-mask: theta0, a random mask of the ticket's per-layer sizes
                other = clone(dense)
                set_masks(other, random_masks_like(other, start, level))
            h, _ = train(other, data)
            report(control, level, other, h, 0, n_train, as_json)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="data.safetensors", help="from `pruning-playground data`")
    ap.add_argument("--json", action="store_true",
                    help="one JSON object per (branch, level), as `pruning-playground lottery --json`")
    args = ap.parse_args(argv)
    run(load_file(args.data), args.json)


if __name__ == "__main__":
    main()
