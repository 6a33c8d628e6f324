"""Cross-check a pruning-playground model export without torch.

Usage: python3 check_export.py MODEL.safetensors DATA.safetensors PREDICT.json [--split test]

Does what docs/pytorch.md does in torch, with numpy: reads the metadata, builds the
nn.Sequential layout (Linear at even indices, activations between), checks that the state_dict
keys are exactly what torch expects after prune.identity on the layers that have a weight_mask
(init.* dropped), computes weight = weight_orig * weight_mask as torch's pruning hook does, runs
the forward pass in float64 on the test split and compares it with `predict --json`.
Exit status 0 if every output agrees within 1e-5, 1 otherwise.
"""

import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

TOLERANCE = 1e-5
ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
}


def main(model_path, data_path, predict_path, split="test"):
    with safe_open(model_path, framework="np") as f:
        meta = f.metadata()
    assert meta["format"] == "pruning-playground", meta
    widths = json.loads(meta["architecture"])
    n_layers = len(widths) - 1

    tensors = load_file(model_path)
    state = {k: v for k, v in tensors.items() if not k.startswith("init.")}
    expected_keys = set()
    weights, biases = [], []
    for l in range(n_layers):
        i = 2 * l  # nn.Sequential index of the l-th Linear
        if f"{i}.weight_mask" in state:  # torch: prune.identity(seq[i], "weight")
            expected_keys |= {f"{i}.weight_orig", f"{i}.weight_mask", f"{i}.bias"}
            mask = state[f"{i}.weight_mask"]
            assert set(np.unique(mask)) <= {0.0, 1.0}, f"{i}.weight_mask is not 0/1"
            w = state[f"{i}.weight_orig"] * mask
        else:
            expected_keys |= {f"{i}.weight", f"{i}.bias"}
            w = state[f"{i}.weight"]
        b = state[f"{i}.bias"]
        assert w.dtype == np.float32 and b.dtype == np.float32
        assert w.shape == (widths[l + 1], widths[l]), (i, w.shape)  # Linear: [out, in]
        assert b.shape == (widths[l + 1],), (i, b.shape)
        weights.append(w.astype(np.float64))
        biases.append(b.astype(np.float64))
    assert set(state) == expected_keys, sorted(set(state) ^ expected_keys)

    data = load_file(data_path)
    x, y = data[f"x_{split}"], data[f"y_{split}"]
    assert x.dtype == np.float32 and y.dtype == np.int64, (x.dtype, y.dtype)

    a = x.astype(np.float64)
    for l, (w, b) in enumerate(zip(weights, biases)):
        act = meta["output_activation"] if l == n_layers - 1 else meta["activation"]
        a = ACTIVATIONS[act](a @ w.T + b)

    rust = np.array(json.load(open(predict_path)), dtype=np.float64)
    assert rust.shape == a.shape, (rust.shape, a.shape)
    diff = np.abs(rust - a)
    alive = sum(int((w != 0).sum()) for w in weights)
    print(
        f"{model_path}: widths {widths}, {alive} nonzero weights, density {meta.get('density')}"
    )
    print(
        f"{split} split: {a.shape[0]} samples x {a.shape[1]} outputs; "
        f"max |numpy - rust| = {diff.max():.3e}, mean = {diff.mean():.3e}, "
        f"max |output| = {np.abs(a).max():.3f}"
    )
    same = (rust.argmax(1) == a.argmax(1)).mean()
    acc = (a.argmax(1) == y).mean()
    print(f"argmax agreement {100 * same:.2f}%, numpy accuracy {100 * acc:.2f}%")
    ok = diff.max() <= TOLERANCE
    print("OK" if ok else f"FAIL: difference above {TOLERANCE}")
    return 0 if ok else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    split = "test"
    if "--split" in args:
        k = args.index("--split")
        split = args[k + 1]
        del args[k : k + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    sys.exit(main(*args, split=split))
