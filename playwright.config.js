// Playwright e2e tests against Debian's Chromium (/usr/bin/chromium); Playwright never downloads
// a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, and never run `npx playwright install`).
// The page (index.html at /, its modules under /www/) is served by scripts/serve.mjs on E2E_PORT
// (scripts/test.sh picks a free one).
import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT || 4173);
const baseURL = `http://127.0.0.1:${port}/`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    // The <pruning-playground> bundle (www/pruning-playground.js) is built first: it is generated.
    command: 'node scripts/build-embed.mjs && node scripts/serve.mjs',
    url: baseURL,
    env: { PORT: String(port), STRICT_PORT: '1' },
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
