// Accessibility, checked by axe-core (npm `axe-core`) in both themes on the home page and a
// page of each listed lab: the suite fails on any serious or critical WCAG 2 A/AA violation.
// axe does not read colours inside SVG, so the servers' names and headlines are checked
// against their node's fill here (4.5:1). One browser for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, openPage } from './browser.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PAGES = ['', '#lab=raft&preset=election', '#lab=hash-ring&preset=add-node',
  '#lab=replication&preset=cap-cp', '#lab=failure-detection&preset=gc-pause'];

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

/** WCAG contrast of two computed `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const scheme of ['light', 'dark']) {
  test(`no serious accessibility violation, ${scheme} theme`, async () => {
    const page = await openPage(context);
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of PAGES) {
      await page.evaluate((path) => { location.hash = path.slice(1); }, path);
      await page.locator(path ? '[data-testid=canvas] .node' : '[data-testid=lab-picker]').first().waitFor({ timeout: 20_000 });
      if (path) await page.getByTestId('play-pause').click();
      await page.addScriptTag({ content: AXE });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(violations, [], `${path || 'home'} (${scheme})`);
      if (!path) continue;
      const nodes = await page.$$eval('[data-testid=canvas] .node', (els) => els.map((el) => {
        const body = el.querySelector('.node-body');
        return [...el.querySelectorAll('.node-name')].map((t) => ({
          text: t.textContent, fill: getComputedStyle(body).fill, ink: getComputedStyle(t).fill,
        }));
      }).flat());
      assert.ok(nodes.length > 0);
      for (const n of nodes) {
        if (!n.fill.startsWith('rgb') || !n.ink.startsWith('rgb')) continue;
        assert.ok(contrast(n.fill, n.ink) >= 4.5, `${path} (${scheme}): "${n.text}" is ${contrast(n.fill, n.ink).toFixed(2)}:1 on its node`);
      }
    }
    await page.close();
  });
}

test('the keyboard: help keeps the focus and lists every key; a server\'s actions are no Tab away', async () => {
  const page = await openPage(context, '#lab=raft&preset=election');
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  await page.keyboard.press('?');
  await page.getByTestId('help-close').waitFor();
  const inHelp = () => page.evaluate(() => document.activeElement?.closest('[data-testid=help]') != null);
  assert.ok(await inHelp(), 'the help takes the focus');
  for (const key of ['Tab', 'Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    assert.ok(await inHelp(), `${key} stays in the help`);
  }
  const text = await page.getByTestId('help').textContent();
  for (const key of ['space', '→', '←', ']', '[', 'Tab', 'Enter', 'shift-Enter', 'shift-click', 'Esc', '?']) {
    assert.ok(text.includes(key), `the help lists ${key}`);
  }
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('help').count(), 0, 'Esc closes the help');
  // Enter on a server selects it and moves to its actions.
  await page.getByTestId('node-S2').focus();
  await page.keyboard.press('Enter');
  let presses = 0;
  const inTools = () => page.evaluate(() => document.activeElement?.closest('[data-testid=node-tools]') != null);
  while (!(await inTools()) && presses < 3) { await page.keyboard.press('Tab'); presses += 1; }
  assert.ok(await inTools(), 'the server\'s actions are within three Tab presses');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'crash');
  assert.deepEqual(page.errors, []);
  await page.close();
});
