// Peak f32 GFLOP/s of a register-resident SIMD128 loop, from a tiny wasm module assembled here.
//
// The function `peak(n)` keeps `ACC` f32x4 accumulators in locals (registers after V8's
// compilation: ACC + 2 constants ≤ 16 xmm registers) and runs n iterations of
// `acc_k = acc_k · a + b` for every k: 2 · 4 · ACC flops per iteration, no memory traffic,
// ACC independent dependency chains to hide the latency. a = 0.999, b = 0.001 keep every value
// near 1 (no overflow, no denormals). With `fma` the body is `f32x4.relaxed_madd` (relaxed SIMD),
// counted as 2 flops per lane as well.

/** @param {number} n unsigned LEB128 */
function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** @param {number} v */
function f32x4Const(v) {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 4; i += 1) dv.setFloat32(i * 4, v, true);
  return [0xfd, ...leb(12), ...b];
}

/** @param {number[]} bytes */
function section(id, bytes) {
  return [id, ...leb(bytes.length), ...bytes];
}

/**
 * The module's bytes.
 * @param {number} acc accumulators
 * @param {boolean} fma use f32x4.relaxed_madd instead of mul + add
 */
export function peakModule(acc, fma) {
  const A = acc + 1; // local index of a
  const B = acc + 2; // local index of b
  const body = [];
  body.push(1, ...leb(acc + 2), 0x7b); // locals: acc + 2 v128
  for (let k = 0; k < acc; k += 1) body.push(...f32x4Const(1 + k / 1024), 0x21, ...leb(k + 1));
  body.push(...f32x4Const(0.999), 0x21, ...leb(A), ...f32x4Const(0.001), 0x21, ...leb(B));
  body.push(0x03, 0x40); // loop
  for (let k = 1; k <= acc; k += 1) {
    if (fma) {
      // relaxed_madd(a, b, c) = a·b + c
      body.push(0x20, ...leb(k), 0x20, ...leb(A), 0x20, ...leb(B), 0xfd, ...leb(0x105), 0x21, ...leb(k));
    } else {
      body.push(0x20, ...leb(k), 0x20, ...leb(A), 0xfd, ...leb(230), 0x20, ...leb(B), 0xfd, ...leb(228));
      body.push(0x21, ...leb(k));
    }
  }
  // n -= 1; br_if n != 0
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b);
  body.push(0x20, 1);
  for (let k = 2; k <= acc; k += 1) body.push(0x20, ...leb(k), 0xfd, ...leb(228));
  body.push(0xfd, ...leb(31), 0, 0x0b); // f32x4.extract_lane 0; end
  const code = [1, ...leb(body.length), ...body];
  const name = [...new TextEncoder().encode('peak')];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, name.length, ...name, 0, 0]),
    ...section(10, code),
  ]);
}

/**
 * Best GFLOP/s over accumulator counts and repeats.
 * @param {boolean} fma
 * @returns {{ gflops: number, accumulators: number } | null} null if the browser refuses the module
 */
export function peakGflops(fma = false) {
  let best = null;
  for (const acc of [8, 12, 14]) {
    const bytes = peakModule(acc, fma);
    if (!WebAssembly.validate(bytes)) return null;
    const { peak } = /** @type {any} */ (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports);
    peak(100000); // warm up (tier-up)
    const n = 2_000_000;
    for (let r = 0; r < 5; r += 1) {
      const t0 = performance.now();
      peak(n);
      const s = (performance.now() - t0) / 1000;
      const g = (n * acc * 8) / s / 1e9;
      if (!best || g > best.gflops) best = { gflops: g, accumulators: acc };
    }
  }
  return best;
}
