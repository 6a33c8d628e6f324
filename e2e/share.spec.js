// Export menu, autosave/restore and "New experiment" (issue 6, first part).
/* global document, window */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkOf, linkParams, open, press, setSetting, settle, watchProblems } from './helpers.js';

/**
 * Opens the export menu, clicks one item and returns the download (name and bytes).
 * @param {import('@playwright/test').Page} page
 * @param {string} kind
 */
async function exportFile(page, kind) {
  await page.getByTestId('export').click();
  await expect(page.getByTestId(`export-${kind}`)).toBeVisible();
  /** @type {import('@playwright/test').Download | undefined} */
  let download;
  await settle(page, async () => {
    const waiting = page.waitForEvent('download');
    await page.getByTestId(`export-${kind}`).click();
    download = await waiting;
  });
  const d = /** @type {import('@playwright/test').Download} */ (download);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

/** This tab's saved experiment (app/autosave.js: one slot per tab), or null. @param {import('@playwright/test').Page} page */
async function savedExperiment(page) {
  return page.evaluate(() => window.localStorage.getItem(`pruning-playground:experiment:v2:${window.sessionStorage.getItem('pruning-playground:tab')}`));
}

test.beforeEach(async ({ page }) => {
  // A fresh browser context per test: no saved experiment to begin with.
  await page.addInitScript(() => {
    if (window.location.protocol === 'about:') return; // no storage there
    if (!window.sessionStorage.getItem('share-test-started')) {
      window.sessionStorage.setItem('share-test-started', '1');
      window.localStorage.clear();
    }
  });
});

test('the export menu downloads every file with the right name and content', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?ep=5&lv=2&lep=3');
  await press(page, 'train');
  await press(page, 'run-lottery');
  await page.getByTestId('export').click();
  await page.screenshot({ path: 'e2e/artifacts/export-menu.png' });
  await page.getByTestId('export').click();

  for (const kind of ['png-network', 'png-boundary', 'png-training', 'png-lottery', 'png-runs']) {
    const f = await exportFile(page, kind);
    expect(f.name).toBe(`pruning-playground-${kind.slice(4)}.png`);
    expect(f.bytes.length).toBeGreaterThan(500);
    expect([...f.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    writeFileSync(`e2e/artifacts/export-${kind}.png`, f.bytes); // for a look by eye
  }

  const hCsv = await exportFile(page, 'history-csv');
  expect(hCsv.name).toBe('pruning-playground-history.csv');
  const hLines = hCsv.bytes.toString('utf8').trim().split('\n');
  expect(hLines[0]).toContain('epoch');
  expect(hLines[0]).toContain('testAccuracy');
  // The network shown is the lottery's ticket: its history is that level's 3 epochs (lep=3),
  // not the 5 dense epochs trained before the run.
  expect(hLines.length).toBe(1 + 3);

  const hJson = await exportFile(page, 'history-json');
  expect(hJson.name).toBe('pruning-playground-history.json');
  const h = JSON.parse(hJson.bytes.toString('utf8'));
  expect(h.history).toHaveLength(3);
  expect(h.settings.epochs).toBe(5);

  const lCsv = await exportFile(page, 'lottery-csv');
  expect(lCsv.name).toBe('pruning-playground-lottery.csv');
  const lLines = lCsv.bytes.toString('utf8').trim().split('\n');
  expect(lLines[0].split(',')).toEqual(expect.arrayContaining(['branch', 'level', 'density', 'testAccuracy']));
  expect(lLines.length).toBeGreaterThan(2);

  const lJson = await exportFile(page, 'lottery-json');
  expect(lJson.name).toBe('pruning-playground-lottery.json');
  const l = JSON.parse(lJson.bytes.toString('utf8'));
  expect(l.lottery.length).toBe(lLines.length - 1);
  expect(l.lottery.some((/** @type {{ branch: string }} */ r) => r.branch === 'ticket')).toBe(true);

  const st = await exportFile(page, 'safetensors');
  expect(st.name).toBe('pruning-playground-model.safetensors');
  expect(st.bytes.length).toBeGreaterThan(8);
  // Loads back through the engine's importSafetensors (a fresh worker with the same settings).
  const layers = await page.evaluate(async (bytes) => {
    const { Engine } = await import('./www/engine.js');
    const engine = await Engine.create({ dataset: { kind: 'circle' }, hidden: [8, 8] });
    try {
      const snap = await engine.call('importSafetensors', new Uint8Array(bytes));
      return snap.layers.length;
    } finally {
      engine.terminate();
    }
  }, [...st.bytes]);
  expect(layers).toBe(3);
  // The other two PyTorch forms: a plain state_dict (no masks) and θ₀ in a file of its own.
  const header = (/** @type {Buffer} */ b) => b.subarray(8, 8 + Number(b.readBigUInt64LE(0))).toString('utf8');
  expect(header(st.bytes)).not.toContain('init.0.weight');
  const plain = await exportFile(page, 'safetensors-plain');
  expect(plain.name).toBe('pruning-playground-model-plain.safetensors');
  expect(header(plain.bytes)).not.toContain('weight_mask');
  expect(header(plain.bytes)).toContain('"form":"plain"');
  const init = await exportFile(page, 'safetensors-init');
  expect(init.name).toBe('pruning-playground-model.init.safetensors');
  expect(header(init.bytes)).toContain('"weights":"init"');

  const py = await exportFile(page, 'pytorch');
  expect(py.name).toBe('pruning-playground-experiment.py');
  const script = py.bytes.toString('utf8');
  expect(script).toContain('import torch');
  expect(script).toContain('prune.');
  const dir = mkdtempSync(join(tmpdir(), 'pp-share-'));
  const file = join(dir, 'experiment.py');
  writeFileSync(file, script);
  execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });

  expect(problems).toEqual([]);
});

test('a reload restores the settings and the lottery table; New experiment clears them', async ({ page }) => {
  await open(page);
  await setSetting(page, 'levels', '2');
  await setSetting(page, 'lotteryEpochs', '2');
  await setSetting(page, 'fraction', '0.5');
  await press(page, 'run-lottery');
  const before = await page.evaluate(() => document.querySelectorAll('#curve-svg circle, #curve-svg path').length);
  expect(JSON.parse(/** @type {string} */ (await savedExperiment(page))).lottery.length).toBeGreaterThan(1);

  // Reload without the query: the settings and the step log come from storage; the log replays
  // the lottery run, so the table is recomputed, not just redrawn.
  await open(page, '');
  await expect(page.getByTestId('message')).toContainText('Restored your saved experiment: 1 steps replayed');
  await expect(page.locator('#controls [name="levels"]')).toHaveValue('2');
  await expect(page.locator('#controls [name="fraction"]')).toHaveValue('0.5');
  const after = await page.evaluate(() => document.querySelectorAll('#curve-svg circle, #curve-svg path').length);
  expect(after).toBe(before);
  await expect(page.locator('#curve-empty')).toBeHidden();
  const lottery = await exportFile(page, 'lottery-json');
  expect(JSON.parse(lottery.bytes.toString('utf8')).lottery.length).toBeGreaterThan(1);

  await press(page, 'new-experiment');
  await expect(page.locator('#controls [name="levels"]')).toHaveValue('3');
  // The experiment is cleared; its lottery run stays under Kept runs (once: it was kept when it finished).
  const slot = JSON.parse(/** @type {string} */ (await savedExperiment(page)));
  expect([slot.history, slot.lottery, slot.steps]).toEqual([[], [], '']);
  expect(slot.runs.length).toBe(1);
  expect(linkOf(page)).toBe('');

  await open(page, '');
  await expect(page.getByTestId('message')).not.toContainText(/Restored|Replayed/);
  await expect(page.locator('#controls [name="fraction"]')).toHaveValue('0.2');
  const cleared = await exportFile(page, 'lottery-json');
  expect(JSON.parse(cleared.bytes.toString('utf8')).lottery).toEqual([]);
});

test('a failing storage shows a message and the page keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    window.Storage.prototype.setItem = () => {
      throw new Error('QuotaExceededError (test)');
    };
  });
  const problems = watchProblems(page);
  await open(page, '?ep=2');
  await press(page, 'train');
  await expect(page.getByTestId('message')).toContainText('Could not save');
  await press(page, 'train');
  expect(Number(await page.getByTestId('epoch').textContent())).toBe(4);
  expect(problems).toEqual([]);
});

/**
 * Every number a recipient should see: readouts, the URL, and the exported history (full precision).
 * @param {import('@playwright/test').Page} page
 */
async function numbers(page) {
  const read = async (/** @type {string} */ id) => page.getByTestId(id).getAttribute('data-value');
  const history = await exportFile(page, 'history-json');
  return {
    epoch: await read('epoch'),
    train: await read('train-accuracy'),
    test: await read('test-accuracy'),
    density: await read('density'),
    history: JSON.parse(history.bytes.toString('utf8')),
  };
}

test('a link replays its steps: the recipient and a reload see the same numbers', async ({ page, browser }) => {
  await open(page, '?ep=3&rt=2&frac=0.5&seed=7');
  await press(page, 'train');
  // Play: the log records the epochs it really ran.
  await settle(page, async () => {
    await page.getByTestId('play').click();
    await expect.poll(async () => Number(await page.getByTestId('epoch').getAttribute('data-value'))).toBeGreaterThan(5);
    await page.getByTestId('play').click();
  });
  const played = Number(await page.getByTestId('epoch').getAttribute('data-value')) - 3;
  for (const id of ['prune', 'rewind', 'retrain']) await press(page, id);
  await setSetting(page, 'fraction', '0.3');
  for (const id of ['prune', 'reinit', 'retrain', 'evaluate']) await press(page, id);
  const link = linkOf(page);
  // A Play longer than the 500-epoch maximum of one step is logged in chunks.
  const plays = Array.from({ length: Math.ceil(played / 500) }, (_, i) => `train(ep:${Math.min(500, played - 500 * i)})`);
  // Pressing Reinit sets Initialization = Random reinit (the setting follows the button), so the
  // steps before it that read Initialization keep theirs in the log.
  expect(linkParams(page).get('steps')).toBe(
    `train,${plays.join(',')},prune(frac:0.5;init:init),rewind,retrain,prune(init:init),reinit,retrain,evaluate`,
  );
  const sent = await numbers(page);
  expect(sent.history.history.length).toBe(7 + played);
  expect(Number(sent.density)).toBeLessThan(0.5);

  // The recipient: a new browser context (no saved experiment), the same link.
  const context = await browser.newContext();
  const other = await context.newPage();
  const problems = watchProblems(other);
  await open(other, link);
  await expect(other.getByTestId('message')).toContainText(`Replayed ${8 + plays.length} steps`);
  await expect(other.getByTestId('message')).toContainText('the same numbers the sender saw');
  await expect(other.locator('#controls [name="fraction"]')).toHaveValue('0.3');
  expect(await numbers(other)).toEqual(sent);
  expect(linkOf(other)).toBe(link);
  expect(problems).toEqual([]);
  await context.close();

  // The sender reloads: the same link replays again (the autosave agrees with it).
  await open(page, link);
  expect(await numbers(page)).toEqual(sent);
});

test('the shift setting shows for image data only, travels in the link and changes the run', async ({ page }) => {
  await open(page, '?data=digits&shift=2&ep=1');
  const shift = page.locator('#controls [name="shift"]');
  await expect(shift).toBeVisible();
  await expect(shift).toHaveValue('2');
  await press(page, 'train');
  expect(linkParams(page).get('shift')).toBe('2');
  const accuracies = async () => Promise.all(['train-accuracy', 'test-accuracy'].map((id) => page.getByTestId(id).getAttribute('data-value')));
  const shifted = await accuracies();
  await open(page, '?data=digits&ep=1');
  await press(page, 'train');
  expect(await accuracies()).not.toEqual(shifted);
  await setSetting(page, 'dataset', 'circle');
  await expect(shift).toBeHidden();
});

test('a query link of an earlier version replays, saying its numbers can differ from the sender\'s', async ({ page }) => {
  await open(page, '?ep=2&frac=0.5&steps=train,prune,rewind,retrain');
  const message = page.getByTestId('message');
  await expect(message).toContainText('Replayed 4 steps from a link of an earlier version');
  await expect(message).toContainText('can differ from what the sender saw');
  // The page now keeps the link in the fragment: reopening that is this version's link.
  const link = linkOf(page);
  expect(link.startsWith('#')).toBe(true);
  const context = await page.context().browser()?.newContext();
  if (!context) throw new Error('no browser');
  const other = await context.newPage();
  await open(other, link);
  await expect(other.getByTestId('message')).toContainText('the same numbers the sender saw');
  await context.close();
});

test('a long replay shows progress and can be cancelled; bad steps and keys get a message', async ({ page }) => {
  // 30 steps of 40 epochs on MNIST-1D: long enough to see the progress bar and cancel it.
  const steps = Array(30).fill('train').join(',');
  await page.goto(`/?data=mnist1d&hidden=100,100&act=relu&ep=40&steps=${steps}`);
  await expect(page.getByTestId('message')).toContainText(/Replaying the link’s steps: \d+ of 30/);
  await expect(page.getByTestId('progress')).toBeVisible();
  await page.getByTestId('cancel').click();
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '');
  await expect(page.getByTestId('message')).toContainText(/Replaying the link stopped at step \d+ of 30 \(train\)/);
  // The link keeps every step (Resume replays them; Discard keeps what is shown).
  expect(page.url()).toContain(`steps=${steps}`);
  await press(page, 'discard-restore');
  const kept = linkParams(page).get('steps') ?? '';
  expect(kept.split(',').length).toBeLessThan(30);
  await press(page, 'evaluate');

  // A bad step: the steps before it replay, the message names it, the page works.
  await open(page, '?ep=2&bogus=1&steps=train,explode(x:1),prune');
  const message = page.getByTestId('message');
  await expect(message).toContainText('unknown key "bogus" ignored');
  await expect(message).toContainText('step 2 "explode(x:1)" is not a step');
  expect(await page.getByTestId('epoch').getAttribute('data-value')).toBe('2');
  expect(linkParams(page).get('steps')).toBe('train');
  await press(page, 'prune');
  expect(Number(await page.getByTestId('density').getAttribute('data-value'))).toBeLessThan(1);
});

test('classroom mode in a link: ?controls= shows only the named buttons and settings, and stays', async ({ page }) => {
  await open(page, '?controls=train,prune,fraction&frac=0.5&ep=2');
  const layout = async () => page.evaluate(() => ({
    buttons: [...document.querySelectorAll('main button[data-action]:not([data-action="restoreGood"]):not([data-action$="Restore"])')].map((b) => /** @type {HTMLElement} */ (b).dataset.action),
    fields: [...document.querySelectorAll('#controls .field')].map((f) => /** @type {HTMLElement} */ (f).dataset.key),
  }));
  expect(await layout()).toEqual({ buttons: ['train', 'prune'], fields: ['fraction'] });
  await press(page, 'train');
  await press(page, 'prune');
  const density = await page.getByTestId('density').getAttribute('data-value');
  expect(Number(density)).toBeLessThan(0.6);
  const link = linkOf(page);
  expect(linkParams(page).get('controls')).toBe('train,prune,fraction');
  expect(linkParams(page).get('steps')).toBe('train,prune');
  // The Embed dialog's iframe snippet carries the classroom too.
  await page.getByTestId('embed').click();
  expect(await page.getByTestId('embed-iframe').inputValue()).toContain('controls=train%2Cprune%2Cfraction');
  await page.getByTestId('embed-close').click();
  await open(page, link);
  expect(await layout()).toEqual({ buttons: ['train', 'prune'], fields: ['fraction'] });
  expect(await page.getByTestId('density').getAttribute('data-value')).toBe(density);

  // A list with an unknown name is refused whole: a message, and every control stays.
  await open(page, '?controls=train,prune,fraction,bogus');
  await expect(page.getByTestId('message')).toContainText('controls: "bogus" (allowed: setting keys, train, prune');
  const all = await layout();
  expect(all.buttons.length).toBeGreaterThan(10);
  expect(all.fields.length).toBeGreaterThan(10);
});
