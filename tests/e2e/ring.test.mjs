// The hash-ring lab through the page: the ring, a join done in the UI, what moved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed, play, pause } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('joining a server through the UI moves few keys on the ring and says how many mod N would move', async () => {
  const page = await openPage(context, '#lab=hash-ring');
  await page.getByTestId('ring-view').waitFor();
  assert.equal(await page.locator('[data-testid^="ring-key-"]').count(), 200);
  assert.equal(await page.locator('[data-testid^="load-S"]').count(), 4, 'four servers on the ring');
  await setSpeed(page, '1×');
  await play(page);
  await page.waitForTimeout(500);
  await pause(page);
  await page.getByTestId('ring-node').selectOption('4');
  await page.getByTestId('ring-join').click();
  assert.equal(await page.locator('[data-testid^="load-S"]').count(), 5);
  const summary = await page.getByTestId('moved-summary').textContent();
  const moved = Number(summary.match(/(\d+) of 200 keys moved/)[1]);
  const modN = Number(summary.match(/would have moved (\d+)/)[1]);
  assert.ok(moved > 15 && moved < 70, `about a fifth of the keys move (${moved})`);
  assert.ok(modN > 130, `hash mod N would move most of them (${modN})`);
  await page.getByTestId('lookup-key').fill('7');
  await page.getByTestId('lookup-key').press('Enter');
  await page.getByTestId('ring-walk').waitFor();
  assert.match(await page.getByTestId('lookup').textContent(), /k7: hash → position → clockwise to S\d/);
  // A million keys, computed in slices: the page keeps answering meanwhile.
  await page.getByTestId('million-keys').click();
  const started = Date.now();
  let answered = 0;
  while (!/ms\)/.test(await page.getByTestId('million-result').textContent())) {
    await page.evaluate(() => 1);
    answered += 1;
    if (Date.now() - started > 30_000) throw new Error('a million keys took too long');
  }
  assert.ok(answered > 1, 'the page answered while computing');
  const million = await page.getByTestId('million-result').textContent();
  const ringMoved = Number(million.match(/ring moved ([\d.]+)%/)[1]);
  assert.ok(ringMoved > 10 && ringMoved < 30, `about a fifth of a million keys move (${ringMoved}%)`);
  await screenshot(page, 'ring-joined');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('consistent hashing and hash mod N run side by side on one clock', async () => {
  const page = await openPage(context, '#lab=hash-ring&preset=add-node');
  await page.getByTestId('compare-link').click();
  await page.getByTestId('compare-page').waitFor();
  await setSpeed(page, '1×');
  await page.getByTestId('play-pause').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=sim-time]').dataset.us) >= 3_000_000, null, { timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  const misses = async (side) => Number(await page.getByTestId(side).getByTestId('metric-misses').textContent());
  const ring = await misses('compare-left');
  const modN = await misses('compare-right');
  assert.ok(modN > 2 * ring, `mod N misses far more after the join (${modN} against ${ring})`);
  await screenshot(page, 'compare-ring-mod-n');
  assert.deepEqual(page.errors, []);
  await page.close();
});
