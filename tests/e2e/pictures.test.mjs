// The shared picture kinds through the page: the hidden gallery lab draws one picture of each
// kind from a run; they change while it plays, stay readable at a desktop and a phone width,
// in light and dark, and export as SVG. Screenshots: target/e2e/picture-<kind>.png (desktop,
// light), picture-<kind>-phone.png and picture-<kind>-dark.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, SCREENSHOT_DIR, setSpeed, play, pause, simTime, scrubTo } from './browser.mjs';

const KINDS = ['time-series', 'bars', 'graph', 'state-machine', 'tree', 'grid', 'lanes'];

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

/** Screenshot every picture kind to `picture-<kind><suffix>.png`. */
async function shootKinds(page, suffix) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const kind of KINDS) {
    const handle = await page.$(`[data-testid=pictures] .picture[data-kind="${kind}"]`);
    assert.ok(handle, `a ${kind} picture`);
    await handle.scrollIntoViewIfNeeded();
    await handle.screenshot({ path: join(SCREENSHOT_DIR, `picture-${kind}${suffix}.png`) });
  }
}

/**
 * What the page draws, measured in the browser: text smaller than 11 px (as drawn, the SVG's
 * scale included), overlapping tick or legend labels, and text or shapes with too little
 * contrast against the picture's background (4.5:1 for text, 3:1 for shapes that carry
 * meaning).
 */
async function problems(page) {
  return page.evaluate(() => {
    const out = [];
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const overlaps = (a, b) => !(a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5);
    for (const svg of document.querySelectorAll('[data-testid=pictures] svg[data-testid=picture-svg]')) {
      const kind = svg.closest('.picture').dataset.kind;
      if (svg.getAttribute('role') !== 'img' || !svg.getAttribute('aria-label')) out.push(`${kind}: no role=img with a label`);
      const scale = svg.getBoundingClientRect().width / Number(svg.getAttribute('viewBox').split(' ')[2]);
      const background = rgb(getComputedStyle(svg).backgroundColor);
      for (const text of svg.querySelectorAll('text')) {
        const style = getComputedStyle(text);
        const size = parseFloat(style.fontSize) * scale;
        if (size < 10.9) out.push(`${kind}: “${text.textContent}” is ${size.toFixed(1)} px`);
        // Text inside a tinted span box sits on the tint, close to the background.
        const ratio = contrast(rgb(style.fill), background);
        if (ratio < 4.5) out.push(`${kind}: “${text.textContent}” has contrast ${ratio.toFixed(2)}`);
      }
      const shapes = [
        ['.pic-line', 'stroke'], ['.pic-bar rect', 'fill'], ['.pic-node circle', 'stroke'],
        ['.pic-state-box', 'stroke'], ['.pic-tree-box', 'stroke'], ['.pic-span-box', 'stroke'],
        ['.pic-mark-shape', 'fill'], ['.pic-edge-line', 'stroke'], ['.pic-cursor line', 'stroke'],
      ];
      for (const [selector, property] of shapes) {
        for (const shape of svg.querySelectorAll(selector)) {
          if (shape.closest('.pic-legend')) continue;
          const style = getComputedStyle(shape);
          const colour = property === 'fill' ? style.fill : style.stroke;
          if (!colour.startsWith('rgb')) continue;
          const ratio = contrast(rgb(colour), background);
          if (ratio < 3) out.push(`${kind}: ${selector} has contrast ${ratio.toFixed(2)}`);
        }
      }
      for (const selector of ['[data-testid=axis-x] .pic-tick-label', '[data-testid=axis-y] .pic-tick-label', '[data-testid=legend-item] text']) {
        const boxes = [...svg.querySelectorAll(selector)].map((e) => [e.textContent, e.getBoundingClientRect()]);
        for (let i = 0; i < boxes.length; i += 1) {
          for (let j = i + 1; j < boxes.length; j += 1) {
            if (overlaps(boxes[i][1], boxes[j][1])) out.push(`${kind}: “${boxes[i][0]}” overlaps “${boxes[j][0]}”`);
          }
        }
      }
    }
    return out;
  });
}

test('the gallery draws every picture kind from its run, readable on a desktop and a phone, light and dark', async () => {
  const page = await openPage(context, '#lab=gallery&preset=every-kind');
  await page.getByTestId('pictures').waitFor();
  const kinds = await page.$$eval('[data-testid=pictures] > .picture', (els) => els.map((e) => e.dataset.kind));
  assert.deepEqual(kinds, KINDS);
  const label = () => page.locator('[data-testid=picture-round-trips] svg').getAttribute('aria-label');
  const before = await label();
  // Play briefly: the pictures follow the run.
  await setSpeed(page, '1×');
  await play(page);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=sim-time]').dataset.us) >= 1_500_000, null, { timeout: 30_000 });
  await pause(page);
  assert.notEqual(await label(), before, 'the pictures follow the run');
  // Then to a moment after the freeze, with S4 crashed.
  await scrubTo(page, 2_700_000);
  await page.waitForFunction(() => document.querySelector('[data-testid=sim-time]').dataset.us === '2700000');
  const now = await simTime(page);
  const after = await label();
  assert.match(after, /^4 series over [\d.]+–[\d.]+ s; peak S\d [\d.]+ ms at [\d.]+ s; \d+ faults? and \d+ violations? marked; slow above 60.0 ms$/);
  // The cursor sits at the timeline's moment, in the time series and the lanes.
  for (const id of ['round-trips', 'lives']) {
    assert.equal(Number(await page.locator(`[data-testid=picture-${id}] [data-testid=picture-cursor]`).getAttribute('data-us')), now);
  }
  assert.ok(await page.locator('[data-testid=picture-lives] .pic-span.open.tone-faulty').count() >= 1, 'S4 is down: an open span');
  assert.ok(await page.locator('[data-testid=picture-fastest] .pic-edges .pic-edge.highlight').count() >= 2, 'a highlighted cycle');
  assert.equal(await page.locator('[data-testid=picture-detector] .pic-states .current').count(), 1);
  assert.match(await page.locator('[data-testid=picture-detector] svg').getAttribute('aria-label'), /current: S4 dead/);
  assert.deepEqual(await problems(page), []);
  await shootKinds(page, '');

  // Keyboard: a focused mark shows its tooltip under the picture.
  await page.locator('[data-testid=picture-round-trips] .pic-marks .pic-mark').first().focus();
  assert.match(await page.locator('[data-testid=picture-round-trips] [data-testid=picture-tip]').textContent(), /^(fault|violation) at [\d.]+ s: /);

  // Export: the picture's own SVG, styles inlined.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('[data-testid=picture-round-trips] [data-testid=picture-export-svg]').click(),
  ]);
  assert.match(file.suggestedFilename(), /^failscope-gallery-seed7-t\d+ms-round-trips\.svg$/);
  const svg = readFileSync(await file.path(), 'utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /class="pic-svg pic-time-series"/);
  assert.match(svg, /style="[^"]*stroke:/);

  // Dark theme: the same checks, other colours.
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  assert.deepEqual(await problems(page), []);
  await shootKinds(page, '-dark');
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));

  // A phone: the pictures lay themselves out again at the narrow width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => {
    const svg = document.querySelector('[data-testid=picture-round-trips] svg');
    return svg && Number(svg.getAttribute('viewBox').split(' ')[2]) < 390;
  });
  assert.deepEqual(await problems(page), []);
  const wide = await page.$$eval('[data-testid=pictures] > .picture', (els) => els
    .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.dataset.kind));
  assert.deepEqual(wide, [], 'every picture fits the phone without sideways scrolling');
  await shootKinds(page, '-phone');
  assert.deepEqual(page.errors, []);
  await page.close();
});
