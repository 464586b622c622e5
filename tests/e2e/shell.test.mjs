import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('the front page lists the labs and opens one onto its SVG canvas, with no errors', async () => {
  const page = await openPage(context);
  await page.getByTestId('lab-picker').waitFor({ state: 'visible', timeout: 20_000 });
  assert.ok(await page.getByTestId('lab-card-raft').isVisible());
  await screenshot(page, 'picker');
  await page.getByTestId('open-raft').click();
  const canvas = page.getByTestId('canvas');
  await canvas.waitFor({ state: 'visible' });
  assert.equal(await canvas.evaluate((el) => el.tagName.toLowerCase()), 'svg');
  assert.match(page.url(), /#(lab=raft|s=1\.)/, 'the address names the lab or the run');
  await screenshot(page, 'shell');
  // The back button returns to the picker.
  await page.goBack();
  await page.getByTestId('lab-picker').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an unknown lab in the URL shows a clear error and a way back', async () => {
  const page = await openPage(context, '#lab=paxos-deluxe');
  await page.getByTestId('error-panel').waitFor();
  assert.match(await page.getByTestId('error-message').textContent(), /no lab called/);
  await page.getByTestId('error-home').click();
  await page.getByTestId('lab-picker').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
