// The page's "use as per-layer rates" (www/views/sensitivity.js ratesFromScan) through the wasm
// engine: the settings it makes, turned into the page's prune spec (state.js), prune each layer to
// exactly the zeros the scan counted at the allowed sparsity, on a dense network and on one that
// already has masked weights (which count among the zeros).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circleConfig, loadWasm } from './wasm-helpers.mjs';
import { defaults, pruneSpec } from '../../www/app/state.js';
import { SCAN_SPARSITIES, sparsitiesWithin } from '../../www/app/workflows.js';
import { ratesFromScan } from '../../www/views/sensitivity.js';

/** @param {any} pg */
const zerosPerLayer = (pg) => pg.snapshot().layers.map((/** @type {any} */ l) => Array.from(l.mask).filter((m) => m === 0).length);

test('use as per-layer rates: one prune reaches the scan\'s zeros in every layer', async () => {
  const { Playground } = await loadWasm();
  for (const first of [null, 0.3]) {
    for (const drop of [0, 0.02, 0.1, 1]) {
      const pg = new Playground(circleConfig());
      pg.train(10);
      // A network that already has masked weights: the scan counts them, the rates prune the rest.
      if (first !== null) pg.prune({ fraction: first, scope: 'layer', outputRate: 1 });
      const scan = pg.sensitivity(SCAN_SPARSITIES, 'magnitude', 0);
      const within = sparsitiesWithin(scan, drop);
      const { sparsities, values } = ratesFromScan(scan, drop);
      assert.deepEqual(sparsities, within);
      // drop 1 (100 points) allows every sparsity: the largest in the list.
      if (drop === 1) assert.deepEqual(within, scan.curves.map(() => SCAN_SPARSITIES.at(-1)));
      const expected = scan.curves.map((/** @type {any} */ c, /** @type {number} */ i) =>
        Math.max(c.weights - c.alive, c.points.find((/** @type {any} */ p) => p.sparsity === within[i]).zeros));
      pg.prune(pruneSpec({ ...defaults(), ...values }));
      assert.deepEqual(zerosPerLayer(pg), expected, `first prune ${first}, drop ${drop}`);
      pg.free();
    }
  }
});
