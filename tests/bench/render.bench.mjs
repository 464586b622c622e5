// Rendering benchmark: frame times while the 50-node stress preset runs with over a
// thousand messages in flight, in headless Chromium against the release build.
// Run by `cargo xtask bench`; prints `BENCH` lines. Targets (issue tracker): median frame
// at most 16.7 ms, 95th percentile at most 25 ms.
import { launch, openPage } from '../e2e/browser.mjs';

const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 6000);

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const context = await launch();
const page = await openPage(context, '?bench#lab=failure-detection&preset=stress');
await page.getByTestId('canvas').waitFor();
await page.waitForFunction(() => Number(document.querySelector('[data-testid=message-canvas]')?.dataset.count ?? 0) > 0, null, { timeout: 20_000 });
await page.waitForTimeout(1000); // warm up

const result = await page.evaluate(async (sampleMs) => {
  const intervals = [];
  const inFlight = [];
  const workBefore = (window.__failscopeFrames ?? []).length;
  let last = performance.now();
  const end = last + sampleMs;
  await new Promise((resolve) => {
    function frame(now) {
      intervals.push(now - last);
      last = now;
      if (intervals.length % 30 === 0) {
        // Individual dots, plus the crowd painted on the message canvas.
        const dots = document.querySelectorAll('circle[data-testid^="message-"]').length;
        const painted = Number(document.querySelector('[data-testid=message-canvas]')?.dataset.count ?? 0);
        inFlight.push(dots + painted);
      }
      if (now < end) requestAnimationFrame(frame); else resolve();
    }
    requestAnimationFrame(frame);
  });
  const work = (window.__failscopeFrames ?? []).slice(workBefore);
  return { intervals: intervals.slice(1), work, inFlight };
}, SAMPLE_MS);

const intervals = [...result.intervals].sort((a, b) => a - b);
const work = [...result.work].sort((a, b) => a - b);
const flight = result.inFlight.reduce((a, b) => a + b, 0) / Math.max(1, result.inFlight.length);
const nodes = await page.$$eval('[data-testid^="node-S"]', (els) => els.length);
console.log(`render: ${nodes} nodes, ${flight.toFixed(0)} messages in flight on average, ${intervals.length} frames in ${SAMPLE_MS} ms`);
console.log(`BENCH render.frame_interval_ms.median ${quantile(intervals, 0.5).toFixed(2)}`);
console.log(`BENCH render.frame_interval_ms.p95 ${quantile(intervals, 0.95).toFixed(2)}`);
console.log(`BENCH render.frame_work_ms.median ${quantile(work, 0.5).toFixed(2)}`);
console.log(`BENCH render.frame_work_ms.p95 ${quantile(work, 0.95).toFixed(2)}`);
console.log(`BENCH render.messages_in_flight ${flight.toFixed(0)}`);
if (process.env.BENCH_VERBOSE) {
  const histogram = {};
  for (const v of intervals) { const k = Math.round(v / 16.67); histogram[k] = (histogram[k] ?? 0) + 1; }
  console.log(`frame intervals in vsyncs: ${JSON.stringify(histogram)}`);
}
if (page.errors.length) console.log(`console errors: ${page.errors.join('; ')}`);
await context.close();
