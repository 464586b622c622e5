// Every guided scenario of every lab, as a visitor sees it: at 1280x800 and 390x844, in the
// light and the dark theme. Each is screenshotted under target/e2e/tour/ and checked: no
// text drawn under 11 px (node labels, space-time lanes, pictures: labels that do not fit
// are left to tooltips, never shrunk), no horizontal overflow, and play on the first screen
// (on a desktop, the whole player); then the side-by-side pages the presets link to. One browser, one page, the lab chunks fetched once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, SCREENSHOT_DIR } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const SIZES = [[1280, 800], [390, 844]];
const DESKTOP_PLAYER = ['canvas', 'narration', 'play-pause', 'speed', 'scrubber'];

/** Text drawn smaller than 11 px, as "12.3px “label”", for every visible element with text. */
async function tinyText(page) {
  return page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll('body *')) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      if (el.closest('.sr-only, title, option')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      let px = parseFloat(style.fontSize);
      // SVG text is scaled with its picture.
      const m = el instanceof SVGElement ? el.getScreenCTM?.() : null;
      if (m) px *= Math.hypot(m.a, m.b);
      if (px < 10.95) found.push(`${px.toFixed(1)}px “${el.textContent.trim().slice(0, 30)}”`);
    }
    return found;
  });
}

test('every guided scenario, at both sizes and in both themes: legible, no overflow, play in view', async () => {
  const dir = join(SCREENSHOT_DIR, 'tour');
  mkdirSync(dir, { recursive: true });
  const page = await openPage(context);
  await page.getByTestId('lab-picker').waitFor({ timeout: 20_000 });
  const presets = await page.$$eval('[data-testid^="preset-link-"]', (els) => els.map((el) => new URL(el.href).hash.slice(1)));
  assert.ok(presets.length >= 27, `the home page lists ${presets.length} scenarios`);
  const problems = [];
  const comparisons = new Set();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      for (const hash of presets) {
        const params = new URLSearchParams(hash);
        const name = `${params.get('lab')}-${params.get('preset')}-${width}x${height}-${scheme}`;
        await page.evaluate((hash) => { location.hash = hash; }, hash);
        await page.locator(`[data-lab="${params.get('lab')}"] [data-testid=narration]`).waitFor({ timeout: 20_000 });
        await page.getByTestId('play-pause').click(); // pause where the scenario opens
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(150); // the canvas measures itself and lays its labels out
        for (const t of await tinyText(page)) problems.push(`${name}: text of ${t}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${name}: ${overflow} px wider than the screen`);
        const ids = width >= 1001 ? DESKTOP_PLAYER : ['play-pause'];
        for (const id of ids) {
          const box = await page.getByTestId(id).first().boundingBox();
          if (!box || box.y < 0 || box.y + box.height > height + 0.5) problems.push(`${name}: ${id} is off the first screen`);
        }
        await page.screenshot({ path: join(dir, `${name}.png`) });
        const compare = page.getByTestId('compare-link');
        if (await compare.count()) comparisons.add(new URL(await compare.first().evaluate((a) => a.href)).hash.slice(1));
      }
    }
  }
  // The side-by-side pages, where two pictures share the width.
  assert.ok(comparisons.size >= 2, `side-by-side pages found: ${[...comparisons]}`);
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    for (const hash of comparisons) {
      const name = `compare-${decodeURIComponent(hash.split('=')[1]).replace(/[^a-z0-9-]+/g, '_')}-${width}x${height}`;
      await page.evaluate((hash) => { location.hash = hash; }, hash);
      await page.getByTestId('compare-page').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(300);
      for (const t of await tinyText(page)) problems.push(`${name}: text of ${t}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${name}: ${overflow} px wider than the screen`);
      await page.screenshot({ path: join(dir, `${name}.png`) });
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(page.errors, []);
  await page.close();
});
