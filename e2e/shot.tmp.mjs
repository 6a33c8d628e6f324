import { chromium } from '@playwright/test';
const url = process.argv[2] || 'http://127.0.0.1:8631/';
const out = process.argv[3] || '/work/wt-ui/e2e/artifacts/dev.png';
const actions = (process.argv[4] || '').split(',').filter(Boolean);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', (m) => console.log('console.' + m.type() + ':', m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto(url);
await page.waitForFunction(() => document.body.dataset.busy === '', null, { timeout: 20000 }).catch(e => console.log('wait fail', e.message));
for (const a of actions) {
  if (a.startsWith('wait')) { await page.waitForTimeout(Number(a.slice(4))); continue; }
  if (a.startsWith('sel:')) { const [, k, v] = a.split(':'); await page.selectOption(`[name="${k}"]`, v); await page.waitForTimeout(300); await page.waitForFunction(() => document.body.dataset.busy === '', null, { timeout: 60000 }); continue; }
  await page.click(`[data-testid="${a}"]`);
  await page.waitForTimeout(200);
  await page.waitForFunction(() => document.body.dataset.busy === '', null, { timeout: 60000 }).catch(e => console.log('wait fail', e.message));
}
await page.waitForTimeout(1200);
console.log('message:', await page.textContent('[data-testid="message"]'));
console.log('density:', await page.textContent('[data-testid="density"]'), 'test:', await page.textContent('[data-testid="test-accuracy"]'));
await page.screenshot({ path: out, fullPage: true });
await browser.close();
