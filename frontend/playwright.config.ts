import { defineConfig } from '@playwright/test'

// Browser tests against the real service, in two projects side by side (two workers): each on a
// demo database of its own behind its own `pmo serve` (e2e/global-setup.ts), and each running its
// specs one at a time in file-name order, as its journeys change the demo data they share.
// Project b's specs are listed (about half the run's time); every other spec is project a's: a
// new one, and those that read `PMO_E2E_*` (which name project a's server and database).
// Debian's chromium, never a downloaded browser.
const PROJECT_B = /\/(money|plain|raid-upkeep|record-links|record-upkeep|report-pack|scopes|setup|upkeep|webhooks|zz-desk)\.spec\.ts$/

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.PMO_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
  projects: [
    { name: 'a', testIgnore: PROJECT_B, workers: 1, use: { baseURL: process.env.PMO_E2E_BASE_URL } },
    { name: 'b', testMatch: PROJECT_B, workers: 1, use: { baseURL: process.env.PMO_E2E_BASE_URL_B } },
  ],
})
