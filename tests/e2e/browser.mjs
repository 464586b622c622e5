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

/** Every server on the canvas: its name, role, status and headline ("term 3"). */
export async function nodes(page) {
  return page.$$eval('[data-testid^="node-S"]', (els) => els.map((el) => ({
    name: el.dataset.testid.slice(5),
    role: el.dataset.role,
    status: el.dataset.status,
    headline: el.dataset.headline,
    group: el.dataset.group,
  })));
}

/** The current simulated time in microseconds. */
export async function simTime(page) {
  return Number(await page.getByTestId('sim-time').getAttribute('data-us'));
}

/** Choose a playback speed by its label, e.g. '1×'. */
export async function setSpeed(page, label) {
  await page.getByTestId('speed').selectOption({ label });
}

export async function play(page) {
  const button = page.getByTestId('play-pause');
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
}

export async function pause(page) {
  const button = page.getByTestId('play-pause');
  if ((await button.getAttribute('aria-pressed')) === 'true') await button.click();
}

/** Wait until `predicate(nodes)` holds, polling the canvas; returns the nodes then. */
export async function waitForNodes(page, predicate, what, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const current = await nodes(page);
    if (predicate(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; nodes: ${JSON.stringify(current)}`);
    await page.waitForTimeout(100);
  }
}

/** The term number in a node's headline ("term 3" -> 3). */
export function term(node) {
  return Number((node.headline.match(/term (\d+)/) ?? [0, 0])[1]);
}

/** A field of the inspector for the selected node, e.g. 'commit index'. */
export async function inspectorField(page, name) {
  return page.getByTestId(`field-${name}`).textContent();
}

/** Move the timeline scrubber to `us` (snapped to the scrubber's step, as a person drags). */
export async function scrubTo(page, us) {
  await page.getByTestId('scrubber').evaluate((el, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, us);
}

/**
 * Open a lab's preset, play it to its end at `speed`, hand the page to `check`, then take
 * a screenshot named `<lab>-<preset>` and require no console error.
 */
export async function playPreset(context, lab, preset, speed, check) {
  const page = await openPage(context, `#lab=${lab}&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, speed);
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 60_000 });
  await check(page);
  await screenshot(page, `${lab}-${preset}`);
  if (page.errors.length) throw new Error(page.errors.join('\n'));
  await page.close();
}

/** The Invariants tab's state of its first `count` checks ('holds', 'seen', 'happened'...). */
export async function invariantStates(page, count) {
  await page.getByTestId('tab-invariants').click();
  const ids = [...Array(count).keys()];
  return Promise.all(ids.map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

/** How many event-log lines hold `text`, once one has arrived (the log is its own chunk). */
export async function logLines(page, text) {
  await page.getByTestId('tab-event-log').click();
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return line.count();
}

/** Start recording the page's long tasks (over 50 ms); `longestTask` reads the longest. */
export async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
}

/** The longest task since `watchLongTasks`, in milliseconds (0 when none passed 50 ms). */
export async function longestTask(page) {
  return page.evaluate(() => window.__longest);
}
