// Ring rendering benchmark: 64 servers × 400 virtual nodes (25,600 points on the ring) with
// 1,000 keys, playing, in headless Chromium against the release build. Run by
// `cargo xtask bench`; prints `BENCH` lines. Issue target: the ring renders 25,600 virtual
// nodes smoothly, so frame intervals should stay at the display's rate (median ≤ 16.7 ms),
// and a membership change (which redraws every arc and recolours moved keys) should not
// stall the page.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openPage } from '../e2e/browser.mjs';

const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 5000);
const SERVERS = 64;
const VNODES = 400;

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const context = await launch();
const page = await openPage(context, '?bench#lab=hash-ring');
await page.getByTestId('canvas').waitFor();

// Build the big ring through the app's own scenario import, as a person could.
await page.getByTestId('share-button').click();
const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-scenario').click()]);
const scenario = JSON.parse(readFileSync(await download.path(), 'utf8'));
scenario.n_nodes = SERVERS;
scenario.params = { ...scenario.params, ring_size: SERVERS, vnodes: VNODES, keys: 1000 };
scenario.actions = [];
const file = join(mkdtempSync(join(tmpdir(), 'fs-ring-bench-')), 'ring.json');
writeFileSync(file, JSON.stringify(scenario));
await page.getByTestId('import-scenario').setInputFiles(file);
await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="node-S"]').length === n, SERVERS);
await page.getByTestId('picture-ring').waitFor();
await page.getByTestId('speed').selectOption({ label: '1×' });
await page.getByTestId('play-pause').click();
await page.waitForTimeout(1000); // warm up

const sampled = await page.evaluate(async (sampleMs) => {
  const intervals = [];
  let last = performance.now();
  const end = last + sampleMs;
  await new Promise((resolve) => {
    function frame(now) {
      intervals.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(frame); else resolve();
    }
    requestAnimationFrame(frame);
  });
  return intervals.slice(1);
}, SAMPLE_MS);

// A membership change: one server leaves; time from the click to the next painted frame.
await page.getByTestId('verb-arg-server').selectOption({ index: 1 });
const changeMs = await page.evaluate(() => new Promise((resolve) => {
  const start = performance.now();
  document.querySelector('[data-testid=verb-leave]').click();
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
}));
const caption = await page.getByTestId('picture-ring').getByTestId('picture-caption').textContent().catch(() => '');
const moved = caption.match(/\d+ of \d+ keys moved[^.]*/)?.[0] ?? '';
const arcs = await page.locator('path.ring-arc').count();

const intervals = [...sampled].sort((a, b) => a - b);
console.log(`ring render: ${SERVERS} servers x ${VNODES} virtual nodes = ${SERVERS * VNODES} points, drawn as ${arcs} arc paths (one per server, consecutive virtual nodes merged); ${intervals.length} frames in ${SAMPLE_MS} ms`);
console.log(`BENCH ring.render.frame_interval_ms.median ${quantile(intervals, 0.5).toFixed(2)}`);
console.log(`BENCH ring.render.frame_interval_ms.p95 ${quantile(intervals, 0.95).toFixed(2)}`);
console.log(`BENCH ring.render.membership_change_ms ${changeMs.toFixed(1)} (${moved.trim()})`);
if (page.errors.length) console.log(`console errors: ${page.errors.join('; ')}`);
await context.close();
