#!/usr/bin/env bash
# Build the browser bundle into www/pkg/:
#   cargo build --release --target wasm32-unknown-unknown --lib
#   wasm-bindgen --target web --out-dir www/pkg
#   data/digits.bin → www/pkg/digits.bin (fetched by the worker; the wasm does not embed it)
#   wasm-opt -O3 (binaryen from node_modules) in place
# and print the raw and gzipped size of the .wasm.
#
# wasm-bindgen and wasm-opt are skipped when www/pkg was already made from the same cargo output
# (a checksum is kept in www/pkg/.build-stamp). Run scripts/setup.sh first (npm start/test do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

crate=pruning_playground
out_dir=www/pkg
wasm_opt=node_modules/.bin/wasm-opt

# Honour CARGO_TARGET_DIR / build.target-dir.
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
raw_wasm="$target_dir/wasm32-unknown-unknown/release/$crate.wasm"

echo "[build-wasm] cargo build --release --target wasm32-unknown-unknown --lib"
cargo build --release --target wasm32-unknown-unknown --lib

[ -f "$raw_wasm" ] || { echo "[build-wasm] ERROR: $raw_wasm not found" >&2; exit 1; }
stamp="$(cksum < "$raw_wasm") bindgen=$(wasm-bindgen --version) opt=$($wasm_opt --version 2>/dev/null | head -1)"
out_wasm="$out_dir/${crate}_bg.wasm"

if [ -f "$out_dir/.build-stamp" ] && [ -f "$out_wasm" ] && [ -f "$out_dir/$crate.js" ] &&
   [ "$(cat "$out_dir/.build-stamp")" = "$stamp" ]; then
  echo "[build-wasm] $out_dir is up to date"
else
  echo "[build-wasm] wasm-bindgen --target web --out-dir $out_dir"
  rm -rf "$out_dir"
  wasm-bindgen --target web --out-dir "$out_dir" "$raw_wasm"

  # Feature flags: what rustc's wasm32 output and wasm-bindgen's glue use (SIMD from
  # .cargo/config.toml's +simd128; the rest are on by default in current rustc).
  echo "[build-wasm] wasm-opt -O3 --enable-simd (in place)"
  "$wasm_opt" -O3 \
    --enable-simd \
    --enable-bulk-memory \
    --enable-nontrapping-float-to-int \
    --enable-sign-ext \
    --enable-mutable-globals \
    --enable-reference-types \
    --enable-multivalue \
    "$out_wasm" -o "$out_wasm.opt"
  mv "$out_wasm.opt" "$out_wasm"
  printf '%s' "$stamp" > "$out_dir/.build-stamp"
fi

# The wasm engine does not embed the 8×8 digits; the worker fetches this copy when it needs it.
cmp -s data/digits.bin "$out_dir/digits.bin" 2>/dev/null || cp data/digits.bin "$out_dir/digits.bin"

raw_size="$(wc -c < "$out_wasm")"
gz_size="$(gzip -9 -c "$out_wasm" | wc -c)"
printf '[build-wasm] %s: %s bytes raw, %s bytes gzipped (-9)\n' "$out_wasm" "$raw_size" "$gz_size"
