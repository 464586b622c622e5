import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('the page loads the app shell with its SVG canvas and no errors', async () => {
  const page = await openPage(context);
  const canvas = page.getByTestId('canvas');
  await canvas.waitFor({ state: 'visible', timeout: 20_000 });
  assert.equal(await canvas.evaluate((el) => el.tagName.toLowerCase()), 'svg');
  await page.getByTestId('lab-picker').waitFor({ state: 'visible' });
  await screenshot(page, 'shell');
  assert.deepEqual(page.errors, []);
});
