// The app hosted under a sub-path, as a documentation site would host it: `cargo xtask test`
// serves dist/ a second time under /docs/failscope/ (FAILSCOPE_SUBPATH_URL), where nothing
// outside that path exists. The shell, a lab with its lazily loaded chunks, a share link and
// the embed demo must all work from there, fetching nothing outside it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot } from './browser.mjs';

const SUB = process.env.FAILSCOPE_SUBPATH_URL;
let context;
before(async () => { if (SUB) context = await launch(); });
after(async () => { await context?.close(); });

/** A page that records errors and every request that left the sub-path or failed. */
async function open(path) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('http') && !url.startsWith(SUB)) page.problems.push(`outside the sub-path: ${url}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) page.problems.push(`${r.status()}: ${r.url()}`); });
  await page.goto(new URL(path, SUB).href);
  return page;
}

test('the shell, a lab and a share link work under /docs/failscope/', { skip: !SUB && 'FAILSCOPE_SUBPATH_URL is not set (cargo xtask test sets it)' }, async () => {
  const page = await open('');
  await page.getByTestId('lab-picker').waitFor({ timeout: 20_000 });
  await page.getByTestId('open-raft').click();
  await page.getByTestId('canvas').waitFor();
  await page.locator('[data-testid^="node-S"]').first().waitFor();
  // The address bar holds a share link of this run, under the sub-path.
  await page.waitForFunction(() => location.hash.startsWith('#s='));
  const link = page.url();
  assert.ok(link.startsWith(SUB), link);
  await screenshot(page, 'subpath-lab');
  // Opened afresh, the link fetches the link reader from the sub-path and replays the run.
  const again = await open(link.slice(SUB.length));
  await again.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close();
  await again.close();
});

test('the embed demo works under /docs/failscope/', { skip: !SUB && 'FAILSCOPE_SUBPATH_URL is not set' }, async () => {
  const page = await open('embed-demo.html');
  const raft = page.frameLocator('[data-testid=embed-raft]');
  await raft.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  await page.getByTestId('host-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=host-state]')?.dataset.playing === 'true');
  assert.deepEqual(page.problems, []);
  await page.close();
});
