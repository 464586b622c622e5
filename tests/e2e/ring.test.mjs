// The hash-ring lab through the page: the ring, a join done in the UI, what moved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed, play, pause } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('joining a server through the UI moves few keys on the ring and says how many mod N would move', async () => {
  const page = await openPage(context, '#lab=hash-ring');
  const ring = page.getByTestId('picture-ring');
  await ring.waitFor();
  assert.equal(await ring.locator('[data-testid^="ring-point-"]').count(), 200);
  assert.equal(await ring.locator('[data-testid^="ring-owner-"]').count(), 4, 'four servers on the ring');
  await setSpeed(page, '1×');
  await play(page);
  await page.waitForTimeout(500);
  await pause(page);
  // The lab's verbs, drawn by the shared form.
  await page.getByTestId('verb-arg-server').selectOption('4');
  await page.getByTestId('verb-join').click();
  assert.equal(await ring.locator('[data-testid^="ring-owner-"]').count(), 5);
  assert.equal(await page.getByTestId('live-region').textContent(), 'S5 joined the ring',
    'the announcement reads like the page');
  const caption = await ring.getByTestId('picture-caption').textContent();
  const moved = Number(caption.match(/(\d+) of 200 keys moved/)[1]);
  const modN = Number(caption.match(/hash mod N would have moved (\d+)/)[1]);
  assert.ok(moved > 15 && moved < 70, `about a fifth of the keys move (${moved})`);
  assert.ok(modN > 130, `hash mod N would move most of them (${modN})`);
  assert.equal(await ring.locator('circle.ring-point.highlight').count(), moved, 'the keys that moved are ringed');
  await page.getByTestId('picture-moved').waitFor();
  await page.getByTestId('ring-lookup').fill('7');
  await page.getByTestId('ring-lookup').press('Enter');
  await page.getByTestId('ring-walk').waitFor();
  assert.match(await page.getByTestId('ring-lookup-result').textContent(), /^k7 → S\d/);
  // The whole key space, exactly (shares of the circle, not a million sampled keys).
  const space = Number(caption.match(/this change moves ([\d.]+)% under consistent hashing/)[1]);
  assert.ok(space > 10 && space < 30, `about a fifth of the key space moves (${space}%)`);
  const spaceModN = Number(caption.match(/and ([\d.]+)% under hash mod N/)[1]);
  assert.equal(spaceModN, 80, 'hash mod N moves all but one key in five');
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
