import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const out = '/work/scratch/shots-nm';
async function idle(p) {
  await p.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '', null, { timeout: 60000 });
}
async function act(p, f) {
  const before = Number(await p.evaluate(() => document.body.dataset.done ?? '0'));
  await f();
  await p.waitForFunction((n) => Number(document.body.dataset.done ?? '0') > n && document.body.dataset.busy === '', before, { timeout: 120000 });
}
const only = process.argv[2];
for (const [name, width, query] of [
  ['desktop-lines', 1280, '?lang=en&ep=10&nm=2:4'],
  ['phone-lines', 390, '?lang=ko&ep=10&nm=2:4'],
  ['desktop-matrix', 1280, '?lang=en&data=mnist1d&hidden=100,100&act=relu&lr=0.001&batch=100&ep=3&nm=2:4'],
  ['phone-matrix', 390, '?lang=en&data=mnist1d&hidden=100,100&act=relu&lr=0.001&batch=100&ep=3&nm=2:4'],
]) {
  if (only && !name.includes(only)) continue;
  const p = await b.newPage({ viewport: { width, height: 900 } });
  p.on('pageerror', (e) => console.log(name, 'pageerror', e.message));
  await p.goto(`http://127.0.0.1:4181/${query}`);
  await idle(p);
  await act(p, () => p.getByTestId('train').click());
  await act(p, () => p.getByTestId('prune').click());
  await p.waitForTimeout(1200);
  await p.getByTestId('network').screenshot({ path: `${out}/${name}-network.png` });
  await p.getByTestId('costs').scrollIntoViewIfNeeded();
  await p.getByTestId('costs').screenshot({ path: `${out}/${name}-costs.png` });
  console.log(name, await p.getByTestId('message').textContent());
  await p.close();
}
await b.close();
