// The replication lab through the page: CAP side by side, and the PACELC chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('CP and AP under the same partition, side by side: the minority refuses, or the history stops being linearizable', async () => {
  const page = await openPage(context, '#lab=replication&preset=cap-cp');
  await page.getByTestId('compare-link').first().click();
  await page.getByTestId('compare-page').waitFor();
  await setSpeed(page, '1×');
  // The same keys as on a lab page: space plays and pauses both runs.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press(' ');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=sim-time]').dataset.us) >= 5_000_000, null, { timeout: 30_000 });
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !document.querySelector('[data-testid=compare-left] [data-testid=linearizable]').textContent.includes('pause'));
  const cp = page.getByTestId('compare-left');
  const ap = page.getByTestId('compare-right');
  const percent = async (side) => Number((await side.getByTestId('availability').textContent()).replace('%', ''));
  assert.ok(await percent(cp) < 100, 'CP refuses on the minority side');
  assert.equal(await percent(ap), 100, 'AP answers everywhere');
  assert.equal(await cp.getByTestId('linearizable').textContent(), 'yes');
  assert.equal(await ap.getByTestId('linearizable').textContent(), 'no');
  assert.ok(Number(await cp.getByTestId('metric-refused').textContent()) > 0);
  await screenshot(page, 'cap-side-by-side');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the PACELC chart measures every configuration without freezing the page', async () => {
  const page = await openPage(context, '#lab=replication');
  await page.getByTestId('tradeoffs').waitFor();
  await page.getByTestId('measure-tradeoffs').click();
  await page.getByTestId('tradeoff-table').waitFor({ timeout: 60_000 });
  const rows = await page.locator('[data-testid=tradeoff-table] tbody tr').count();
  assert.ok(rows >= 4, `${rows} configurations measured`);
  assert.ok(await page.locator('[data-testid^="tradeoff-"] circle').count() >= 4);
  const text = await page.getByTestId('tradeoff-table').textContent();
  assert.match(text, /PC\/EC/);
  assert.match(text, /PA\/EL/);
  // The lesson of the lagging follower holds on the chart too: reads anywhere are stale.
  const anywhere = await page.locator('[data-testid=tradeoff-table] tbody tr', { hasText: 'asynchronous, reads anywhere' }).textContent();
  assert.doesNotMatch(anywhere, /\b0\.0%/, `asynchronous reads anywhere: ${anywhere}`);
  // Points do not smear into each other, and both axes are graduated.
  const boxes = await page.$$eval('[data-testid^="tradeoff-"] circle', (els) => els.map((el) => el.getBoundingClientRect().toJSON()));
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
      assert.ok(apart, `two points overlap: ${JSON.stringify([a, b])}`);
    }
  }
  assert.ok(await page.locator('.tradeoff-chart .tick text').count() >= 4, 'ticks with numbers on the axes');
  await screenshot(page, 'pacelc');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the legend names only the message kinds this run has sent', async () => {
  const page = await openPage(context, '#lab=replication&preset=lww-skew');
  await setSpeed(page, '1×');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=sim-time]').dataset.us) >= 1_500_000, null, { timeout: 30_000 });
  const items = await page.locator('.legend-item').allTextContents();
  assert.ok(items.length >= 1, `kinds shown: ${items}`);
  assert.ok(!items.includes('Handoff') && !items.includes('Append'), `multi-leader sends no leaderless or leader-follower messages: ${items}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
