// Response benchmark: how fast the page answers while a big run plays at 100×, on a CPU
// slowed four times (a mid-range laptop on battery, or a phone). For the two heaviest
// presets (15 Raft servers with 8 clients; 50 failure-detection nodes) it clicks through the side
// tabs, selects servers and presses keys, and reports from the browser's own timings:
// the 95th-percentile and worst input-to-paint delay (Event Timing, as INP counts it), the
// longest task (Long Tasks), and frames per second. Targets (issue tracker): every
// response painted within 100 ms, no task over 50 ms.
// Run by `cargo xtask bench`; prints `BENCH` lines.
import { launch, openPage } from '../e2e/browser.mjs';

const THROTTLE = Number(process.env.BENCH_CPU_THROTTLE ?? 4);
const PRESETS = [['raft', 'stress'], ['failure-detection', 'stress']];
const TABS = ['tab-invariants', 'tab-event-log', 'tab-inspector', 'tab-history', 'tab-challenges', 'tab-parameters'];

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const context = await launch();
for (const [lab, preset] of PRESETS) {
  const page = await openPage(context, `#lab=${lab}&preset=${preset}`);
  await page.getByTestId('canvas').waitFor({ timeout: 30_000 });
  await page.getByTestId('narration').waitFor({ timeout: 30_000 });
  await page.getByTestId('speed').selectOption({ label: '100×' });
  await page.evaluate(() => {
    window.__responses = {};
    window.__tasks = [];
    window.__frames = 0;
    new PerformanceObserver((list) => {
      // One figure per interaction (a click is pointerdown, pointerup and click): its
      // longest entry, as INP counts it.
      for (const e of list.getEntries()) {
        if (e.interactionId) window.__responses[e.interactionId] = Math.max(window.__responses[e.interactionId] ?? 0, e.duration);
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__tasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    const count = () => { window.__frames += 1; requestAnimationFrame(count); };
    requestAnimationFrame(count);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  const started = Date.now();
  if ((await page.getByTestId('play-pause').getAttribute('aria-pressed')) !== 'true') await page.getByTestId('play-pause').click();
  let interactions = 0;
  for (let round = 0; round < 2; round += 1) {
    for (const tab of TABS) {
      await page.getByTestId(tab).click();
      await page.waitForTimeout(250);
      interactions += 1;
    }
    for (const node of ['node-S1', 'node-S2']) {
      await page.getByTestId(node).click({ force: true });
      await page.waitForTimeout(250);
      interactions += 1;
    }
    await page.keyboard.press(']');
    await page.waitForTimeout(250);
    await page.keyboard.press('[');
    await page.waitForTimeout(250);
    interactions += 2;
  }
  await page.waitForTimeout(500);
  const seconds = (Date.now() - started) / 1000;
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const { responses, tasks, frames } = await page.evaluate(() => ({ responses: window.__responses, tasks: window.__tasks, frames: window.__frames }));
  const sorted = Object.values(responses).sort((a, b) => a - b);
  const name = `${lab}_${preset}`;
  // Interactions painted within 16 ms leave no Event Timing entry: count them as 16.
  const all = [...sorted, ...Array(Math.max(0, interactions - sorted.length)).fill(16)].sort((a, b) => a - b);
  console.log(`response: ${lab}/${preset} at 100×, CPU ×${THROTTLE}: ${interactions} interactions, ${tasks.length} long tasks, ${frames} frames in ${seconds.toFixed(1)} s`);
  console.log(`BENCH response.${name}.input_delay_ms.p95 ${quantile(all, 0.95).toFixed(0)}`);
  console.log(`BENCH response.${name}.input_delay_ms.max ${(all.at(-1) ?? 0).toFixed(0)}`);
  console.log(`BENCH response.${name}.longest_task_ms ${Math.max(0, ...tasks).toFixed(0)}`);
  console.log(`BENCH response.${name}.fps ${(frames / seconds).toFixed(1)}`);
  if (page.errors.length) console.log(`console errors: ${page.errors.join('; ')}`);
  await page.close();
}
await context.close();
