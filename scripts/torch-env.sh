#!/usr/bin/env bash
# Creates or updates the Python virtual environment with PyTorch in which `npm test`'s `torch`
# stage runs the generated PyTorch script and loads exported models (tests/python/check_torch.py).
#
#   venv: ${PP_TORCH_VENV:-$HOME/.cache/pruning-playground/torch-venv}
#   pip install torch safetensors numpy   (from PyPI: about 5 GB with the CUDA wheels; the CPU
#                                          is all the tests use; ~3 min the first time)
#
# Idempotent: when the venv already has the three packages it returns at once, without importing
# torch. CI (.ci/run) runs it before `npm test`, so CI always runs the torch stage; locally the
# stage is skipped, and says so, until this has been run once.
set -euo pipefail

venv="${PP_TORCH_VENV:-$HOME/.cache/pruning-playground/torch-venv}"
py="$venv/bin/python"
say() { echo "torch-env: $*"; }

has_packages() {
  [ -x "$py" ] && "$py" -c '
import importlib.util, sys
sys.exit(any(importlib.util.find_spec(m) is None for m in ("torch", "safetensors", "numpy")))
' 2>/dev/null
}

if has_packages; then
  exit 0
fi

if [ ! -x "$py" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "torch-env: python3 not found" >&2; exit 1; }
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian's python3 ships venv in a package of its own.
    say "installing python3-venv with apt-get"
    sudo_cmd=()
    [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv </dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
fi
say "pip install torch safetensors numpy into $venv (a few minutes the first time)"
"$py" -m pip install --quiet --disable-pip-version-check torch safetensors numpy
has_packages || { echo "torch-env: torch, safetensors or numpy still missing in $venv" >&2; exit 1; }
say "ready: $("$py" -c 'import torch; print("torch", torch.__version__)')"
