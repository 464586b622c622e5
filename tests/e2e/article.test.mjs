// The article page (www/article-demo.html): three <failscope-lab> figures in prose, each with
// its own window of time. Only the figure on screen runs; each shows its window; and the
// page's main thread (which the same-origin embeds share) has no task of 50 ms or more
// while a reader scrolls past them (the tag makes a figure once scrolling stops near it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const IDS = ['election', 'partition', 'ring'];

/** Each figure's simulated time (µs) inside its iframe, or null if it has none yet. */
async function times(page) {
  const out = {};
  for (const id of IDS) {
    const frame = page.frameLocator(`[data-testid=tag-${id}] iframe`);
    const made = await page.locator(`[data-testid=tag-${id}] iframe`).count();
    out[id] = made ? Number(await frame.getByTestId('lab-page').getAttribute('data-us')) : null;
  }
  return out;
}

/** Which figures are on screen now. */
const onScreen = (page) => page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  return [id, r.bottom > 0 && r.top < innerHeight];
})), IDS);

test('only the visible figure runs, each shows its window, and scrolling past them stays responsive', async () => {
  const page = await openPage(context, 'article-demo.html');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForFunction(() => document.getElementById('election').state?.playing === true, null, { timeout: 20_000 });

  // Scroll down to the end in small steps, as a reader would, and back up.
  const start = await page.evaluate(() => performance.now());
  const bottom = await page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
  while (await page.evaluate(() => scrollY) < bottom - 1) {
    await page.mouse.wheel(0, 150);
    await page.waitForTimeout(60);
  }
  const end = await page.evaluate(() => performance.now());
  const tasks = await page.evaluate(([start, end]) => window.longTasks.filter((t) => t.start + t.duration >= start && t.start <= end), [start, end]);
  const longest = Math.max(0, ...tasks.map((t) => t.duration));
  assert.ok(longest < 50, `the longest task while scrolling took ${longest} ms: ${JSON.stringify(tasks)}`);
  // A figure is made once the reader stops near it.
  for (const id of IDS) {
    await page.getByTestId(`tag-${id}`).scrollIntoViewIfNeeded();
    await page.frameLocator(`[data-testid=tag-${id}] iframe`).getByTestId('lab-page').waitFor({ timeout: 20_000 });
  }

  // Each figure shows its own window of time.
  const windows = {};
  for (const id of IDS) {
    const w = page.frameLocator(`[data-testid=tag-${id}] iframe`).getByTestId('embed-window');
    windows[id] = [await w.getAttribute('data-from-us'), await w.getAttribute('data-to-us')];
  }
  assert.deepEqual(windows.election, ['200000', '4000000']);
  assert.deepEqual(windows.partition, ['1000000', '6000000']);
  assert.equal(windows.ring[1], '3000000');

  // Only what is on screen moves: compare two readings a second apart.
  for (const target of ['partition', 'election']) {
    await page.getByTestId(`tag-${target}`).scrollIntoViewIfNeeded();
    await page.evaluate((id) => document.getElementById(id).play(), target);
    await page.waitForTimeout(300);
    const visible = await onScreen(page);
    assert.ok(visible[target], `${target} is on screen`);
    const a = await times(page);
    await page.waitForTimeout(1_000);
    const b = await times(page);
    for (const id of IDS) {
      if (visible[id]) continue;
      assert.equal(b[id], a[id], `${id} is off-screen and must not run (scrolled to ${target})`);
    }
    assert.notEqual(b[target], a[target], `${target} is on screen and playing, so it runs`);
    await screenshot(page, `article-${target}`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('tag-partition').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'target/e2e/article-390.png' });
  assert.deepEqual(page.errors, []);
  await page.close();
});
