// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core
// (no browser download), the app served by `cargo xtask test` at FAILSCOPE_URL.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_URL = process.env.FAILSCOPE_URL ?? 'http://127.0.0.1:8080/';
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'target/e2e';

const QUIET_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'failscope-e2e-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: QUIET_FLAGS,
    viewport: { width: 1400, height: 900 },
  });
}

/** A page that records console errors and uncaught exceptions for `assertNoErrors`. */
export async function openPage(context, path = '') {
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => page.errors.push(`uncaught: ${err.message}`));
  await page.goto(new URL(path, BASE_URL).href);
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
