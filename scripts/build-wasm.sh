#!/usr/bin/env bash
# Build the browser bundle into www/pkg/: two wasm modules from the same crates,
#   engine  cargo build --profile wasm --target wasm32-unknown-unknown -p pruning-playground-wasm
#           → pruning_playground.js + pruning_playground_bg.wasm (the Playground class)
#   io      … --features io-module
#           → pruning_playground_io.js + pruning_playground_io_bg.wasm (safetensors, PyTorch
#             script, CSV; the worker loads it only when one of those is asked for)
# each through wasm-bindgen --target web and wasm-opt -O3 (binaryen from node_modules; flags
# below), plus
#   data/digits.bin → www/pkg/digits.bin (fetched by the worker; the wasm does not embed it)
# and print every module's raw and gzipped (-9) size.
#
# crates/wasm is a cdylib that only links the main crate's wasm exports; the `wasm` profile
# (Cargo.toml) builds the main crate for size and the training path (crates/core) at opt-level 3.
#
# wasm-bindgen and wasm-opt are skipped for a module when www/pkg already holds it made from the
# same cargo output (checksums are kept in www/pkg/.build-stamp-*). Run scripts/setup.sh first
# (npm start/test do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

crate=pruning_playground
out_dir=www/pkg
wasm_opt=node_modules/.bin/wasm-opt

# Honour CARGO_TARGET_DIR / build.target-dir.
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
raw_wasm="$target_dir/wasm32-unknown-unknown/wasm/pruning_playground_wasm.wasm"
mkdir -p "$out_dir" "$target_dir/wasm-modules"

# wasm-opt's flags. Feature flags: what rustc's wasm32 output and wasm-bindgen's glue use (SIMD
# from .cargo/config.toml's +simd128; the rest are on by default in current rustc).
# --low-memory-unused: addresses below 1024 are never read or written (Rust puts the stack there,
# growing down from 1 MiB, so only an overflowing stack would reach them), which lets wasm-opt
# fold a constant added to an address into the load's or store's offset (the second vector of
# an 8-column tile row, for one) instead of leaving V8 an add per access: training steps ≈ 4%
# faster, the same numbers bit for bit (Node, alternating windows; BENCHMARKS.md).
opt_flags=(-O3 --low-memory-unused --enable-simd --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue)

# build NAME CARGO_FEATURE_ARGS...: cargo build, then wasm-bindgen + wasm-opt into www/pkg/NAME*.
build() {
  local name=$1
  shift
  echo "[build-wasm] $name: cargo build --profile wasm --target wasm32-unknown-unknown -p pruning-playground-wasm $*"
  cargo build --profile wasm --target wasm32-unknown-unknown -p pruning-playground-wasm "$@"
  [ -f "$raw_wasm" ] || { echo "[build-wasm] ERROR: $raw_wasm not found" >&2; exit 1; }
  # Both builds write the same file: keep a copy named after the module (wasm-bindgen names the
  # JS glue after its input).
  local raw="$target_dir/wasm-modules/$name.wasm"
  cp "$raw_wasm" "$raw"
  local stamp_file="$out_dir/.build-stamp-$name"
  local stamp
  stamp="$(cksum < "$raw") bindgen=$(wasm-bindgen --version) opt=$($wasm_opt --version 2>/dev/null | head -1) flags=${opt_flags[*]}"
  local out_wasm="$out_dir/${name}_bg.wasm"
  if [ -f "$stamp_file" ] && [ -f "$out_wasm" ] && [ -f "$out_dir/$name.js" ] &&
     [ "$(cat "$stamp_file")" = "$stamp" ]; then
    echo "[build-wasm] $name: $out_dir is up to date"
    return
  fi
  echo "[build-wasm] $name: wasm-bindgen --target web --out-dir $out_dir"
  rm -f "$out_dir/$name.js" "$out_dir/$name.d.ts" "$out_wasm" "$out_wasm.d.ts" "$stamp_file"
  wasm-bindgen --target web --out-dir "$out_dir" "$raw"
  echo "[build-wasm] $name: wasm-opt ${opt_flags[*]} (in place)"
  "$wasm_opt" "${opt_flags[@]}" "$out_wasm" -o "$out_wasm.opt"
  mv "$out_wasm.opt" "$out_wasm"
  printf '%s' "$stamp" > "$stamp_file"
}

# The I/O module first, so that the engine's build is the one left in target/ (cargo test and
# other scripts look for nothing there, but it keeps a later engine-only rebuild cheap).
build ${crate}_io --features io-module
build $crate
rm -f "$out_dir/.build-stamp" # (the single-module stamp of earlier builds)

# The wasm engine does not embed the 8×8 digits; the worker fetches this copy when it needs it.
cmp -s data/digits.bin "$out_dir/digits.bin" 2>/dev/null || cp data/digits.bin "$out_dir/digits.bin"
# Nor MNIST (7.85 MB; made by scripts/build-mnist.mjs): fetched only when that data set is chosen.
[ -f data/mnist.bin ] || node scripts/build-mnist.mjs
cmp -s data/mnist.bin "$out_dir/mnist.bin" 2>/dev/null || cp data/mnist.bin "$out_dir/mnist.bin"

# One line per module; bench/run.mjs reads the engine's ("engine … bytes raw, … bytes gzipped").
for m in engine:$crate io:${crate}_io; do
  label=${m%%:*}
  f="$out_dir/${m#*:}_bg.wasm"
  printf '[build-wasm] %-6s %s: %s bytes raw, %s bytes gzipped (-9)\n' \
    "$label" "$f" "$(wc -c < "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
