#!/usr/bin/env node
// npm run bench: builds the release wasm, times the same cases natively (examples/bench_native.rs),
// serves the repository on 127.0.0.1 and drives ONE headless Chromium session through
// bench/index.html. Prints a table and writes bench/results.json.
//
//   node bench/run.mjs [--quick] [--cases 0,1] [--engines ours,playground-js]
//                      [--lottery-only [--runs N]] [--no-build]
//     --quick: no lottery, no native run; --cases: case indices (bench.js cases()); --engines: a subset
//     --lottery-only: only the lottery experiment (no native run, no results.json), N times in a row
//       (default 1), printing each wall time and the median
//     --no-build: use www/pkg as it is (e.g. to time two builds alternately)
//     --mnist-only [--levels L] [--epochs E]: only Frankle & Carbin's LeNet-300-100 preset on MNIST
//       (ticket + random reinit, two workers; L levels / E epochs instead of the preset's), its wall
//       time and its table
//
// Benchmarks are noisy: the figures are ratios from one run on one machine, never test assertions.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { cases } from './bench.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
/** @param {string} name */
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const onlyCases = arg('--cases')?.split(',').map(Number);
const onlyEngines = arg('--engines')?.split(',');
const lotteryOnly = process.argv.includes('--lottery-only');
const lotteryRuns = Number(arg('--runs') ?? 1);
const noBuild = process.argv.includes('--no-build');
const mnistOnly = process.argv.includes('--mnist-only');
const log = (/** @type {string} */ m) => console.error(`[bench] ${m}`);
/** Largest relative difference of an engine's training loss from ours after one epoch: f32
 * engines (and playground-js in f64) see the same batches, so only round-off separates them;
 * it grows with the steps but stays orders of magnitude below this. */
const LOSS_TOLERANCE = 1e-4;

/** @type {Record<string, string>} */
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A static server for bench/, www/ and node_modules/@tensorflow/ only, on a free loopback port. */
async function serve() {
  const allowed = ['bench/', 'www/', 'node_modules/@tensorflow/'];
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !allowed.some((a) => rel.startsWith(a))) {
      res.writeHead(404).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  return { server, url: `http://127.0.0.1:${addr.port}/bench/index.html` };
}

/** Runs the native reference; returns its rows (or [] with a message when it fails). */
function native() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const file = path.join(dir, 'cases.json');
  writeFileSync(file, JSON.stringify(cases()));
  log('cargo run --release --example bench_native');
  const r = spawnSync('cargo', ['run', '--release', '--quiet', '--example', 'bench_native', '--', file], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    log(`native run failed (exit ${r.status}); no native rows`);
    return { rows: [], sparse: [] };
  }
  return JSON.parse(r.stdout);
}

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? 'unknown';
  return { cpu, nproc: os.cpus().length, node: process.version };
}

/** @param {number} v */
const fmt = (v) => (v === null || v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(4));

/** @param {any[]} rows */
function table(rows) {
  const out = ['| case | engine | ms/step (median) | spread (min–max) | GFLOP/s | × vs ours | loss after 1 epoch | rel. diff |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const ours = rows.find((o) => o.case === r.case && o.engine === 'ours');
    // Browser engines: the median ratio of adjacent windows (bench.js timeAgainstOurs); native,
    // timed in another process: the ratio of the medians.
    const x = r.ratio_vs_ours ?? (ours && r.engine !== 'ours' ? r.ms_per_step / ours.ms_per_step : undefined);
    const ratio = x === undefined ? '' : `${x.toFixed(2)}×`;
    const spread = r.ms_min !== undefined ? `${fmt(r.ms_min)}–${fmt(r.ms_max)}` : '';
    const loss = r.loss_after_epoch !== undefined ? r.loss_after_epoch.toFixed(6) : '';
    const bad = r.loss_rel_diff_vs_ours > LOSS_TOLERANCE ? ' ✗' : '';
    const diff = r.loss_rel_diff_vs_ours !== undefined ? `${r.loss_rel_diff_vs_ours.toExponential(1)}${bad}` : '';
    out.push(`| ${r.case} | ${r.engine} | ${fmt(r.ms_per_step)} | ${spread} | ${fmt(r.gflops)} | ${ratio} | ${loss} | ${diff} |`);
  }
  return out.join('\n');
}

async function main() {
  if (!Number.isInteger(lotteryRuns) || lotteryRuns < 1) throw new Error('--runs takes a positive integer');
  let build = '';
  if (noBuild) log('--no-build: www/pkg as it is');
  else {
    log('scripts/build-wasm.sh');
    build = execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: root, encoding: 'utf8' });
  }
  const size = build.match(/engine .*?(\d+) bytes raw, (\d+) bytes gzipped/);
  const ioSize = build.match(/io .*?(\d+) bytes raw, (\d+) bytes gzipped/);
  const nat = quick || lotteryOnly || mnistOnly ? { rows: [], sparse: [] } : native();
  const { server, url } = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log(`page: ${m.text()}`));
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => /** @type {any} */ (globalThis).benchReady === true);
    if (lotteryOnly) {
      const runs = await page.evaluate((n) => /** @type {any} */ (globalThis).runLottery(n), lotteryRuns);
      const ms = runs.map((/** @type {any} */ r) => r.ms);
      const median = [...ms].sort((a, b) => a - b)[ms.length >> 1];
      runs.forEach((/** @type {any} */ r, /** @type {number} */ i) => console.log(`lottery run ${i + 1}: ${(r.ms / 1000).toFixed(2)} s`));
      console.log(`lottery (MNIST-1D 40-100-100-10, 10 levels × 20 epochs, ticket + random reinit): median ${(median / 1000).toFixed(2)} s of ${ms.length}`);
      console.log(JSON.stringify({ date: new Date().toISOString(), machine: machine(), lottery_runs: runs }));
      return;
    }
    if (mnistOnly) {
      /** @type {Record<string, number>} */
      const over = {};
      for (const k of ['levels', 'epochs']) if (arg(`--${k}`)) over[k] = Number(arg(`--${k}`));
      const r = await page.evaluate((o) => /** @type {any} */ (globalThis).mnistPresetWallTime(o), over);
      console.log(mnistTable(r));
      console.log(JSON.stringify({ date: new Date().toISOString(), machine: machine(), mnist_preset: r }));
      return;
    }
    const opts = { only: onlyCases ?? (quick ? [0, 1] : undefined), engines: onlyEngines, skipLottery: quick };
    const res = await page.evaluate((o) => /** @type {any} */ (globalThis).runBench(o), opts);
    const rows = [...res.results, ...nat.rows].sort((a, b) => a.case.localeCompare(b.case) || engineRank(a.engine) - engineRank(b.engine));
    const peak = res.peak.simd128_mul_add_gflops;
    for (const r of rows) r.fraction_of_simd128_peak = r.gflops && peak ? r.gflops / peak : null;
    const out = {
      date: new Date().toISOString(),
      machine: machine(),
      browser: `${browser.version()} (${res.userAgent})`,
      tfjs: res.tfjs,
      engine_wasm: size ? { raw_bytes: Number(size[1]), gzip_bytes: Number(size[2]) } : null,
      io_wasm: ioSize ? { raw_bytes: Number(ioSize[1]), gzip_bytes: Number(ioSize[2]) } : null,
      loss_tolerance: LOSS_TOLERANCE,
      results: rows,
      peak: res.peak,
      lottery_wall_ms: res.lottery?.ms ?? null,
      lottery: res.lottery,
      mnist_preset: res.mnist_preset,
      worker_round_trip_ms: res.worker_round_trip_ms,
      structured_pruning_inference: res.structured,
      sparse_sweep_native: nat.sparse,
      sparse_sweep_engine: res.sparse_sweep_engine,
    };
    writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(table(rows));
    const off = rows.filter((r) => r.loss_rel_diff_vs_ours > LOSS_TOLERANCE);
    console.log(
      off.length === 0
        ? `\nloss check: every engine's training loss after one epoch is within ${LOSS_TOLERANCE} (relative) of ours`
        : `\nloss check FAILED (> ${LOSS_TOLERANCE} relative): ${off.map((r) => `${r.case} / ${r.engine}`).join(', ')}`,
    );
    const paired = rows.filter((r) => r.engine === 'ours' && r.ms_per_step_paired !== undefined);
    if (paired.length > 0) {
      console.log(
        `\nours' rows: its windows alone (as the peak is measured); its windows paired with the other engines' (the ratios): ${paired.map((r) => `${r.case} ${fmt(r.ms_per_step_paired)} ms`).join(' | ')}`,
      );
    }
    console.log(`\npeak SIMD128 (mul+add, in page): ${fmt(peak)} GFLOP/s; relaxed madd: ${fmt(res.peak.relaxed_madd_gflops)} GFLOP/s`);
    if (res.lottery) console.log(`lottery (MNIST-1D 40-100-100-10, 10 levels × 20 epochs, ticket + random reinit): ${(res.lottery.ms / 1000).toFixed(2)} s`);
    if (res.mnist_preset) console.log(mnistTable(res.mnist_preset));
    for (const name of new Set(res.sparse_sweep_engine.map((/** @type {any} */ x) => x.case))) {
      const rows = res.sparse_sweep_engine.filter((/** @type {any} */ x) => x.case === name);
      console.log(`engine training by density, ${name} (ms/step; sparse products below 15%): ${rows.map((/** @type {any} */ x) => `${x.density}: ${fmt(x.ms_per_step)}`).join(' | ')}`);
    }
    for (const s of res.structured) console.log(`structured 90% neurons, ${s.case}: dense ${fmt(s.dense_ms)} ms, pruned ${fmt(s.pruned_ms)} ms per 256 rows (${s.speedup.toFixed(1)}×)`);
    console.log(`worker round trip (no work): ${fmt(res.worker_round_trip_ms)} ms`);
    if (out.engine_wasm) console.log(`engine wasm: ${out.engine_wasm.raw_bytes} B raw, ${out.engine_wasm.gzip_bytes} B gzipped`);
    if (out.io_wasm) console.log(`I/O wasm (loaded on demand): ${out.io_wasm.raw_bytes} B raw, ${out.io_wasm.gzip_bytes} B gzipped`);
    console.log(`browser ${out.browser}\nmachine ${out.machine.cpu}, nproc ${out.machine.nproc}\nwrote bench/results.json`);
  } finally {
    await browser.close();
    server.close();
  }
}

/** The MNIST preset's run: wall time, then level, density, ticket and random reinit (test accuracy
 * at early stopping, early-stopping epoch). @param {any} r */
function mnistTable(r) {
  const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `Frankle & Carbin LeNet-300-100 preset on MNIST (${r.levels} levels × ${r.epochs} epochs, ticket + random reinit, two workers): ${(r.ms / 1000).toFixed(1)} s (+ ${(r.load_ms / 1000).toFixed(1)} s loading mnist.bin and building)`,
    '| level | density | ticket | random reinit |',
    '| ---: | ---: | ---: | ---: |',
  ];
  for (const t of r.ticket) {
    const c = r.random_reinit.find((/** @type {any} */ x) => x.level === t.level);
    lines.push(`| ${t.level} | ${pct(t.density)} | ${pct(t.acc)} (${t.epoch}) | ${c ? `${pct(c.acc)} (${c.epoch})` : '—'} |`);
  }
  return lines.join('\n');
}

/** @param {string} e */
function engineRank(e) {
  return ['ours', 'native', 'tfjs-wasm', 'tfjs-cpu', 'playground-js'].indexOf(e);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
