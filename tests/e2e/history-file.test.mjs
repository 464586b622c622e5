// The History tab's "Check a history file…": a hand-made Jepsen EDN file (fixtures/) checked in
// the browser, verdict per key and offending set; a bad file says its line and loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch, openPage, pause, screenshot } from './browser.mjs';

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('a Jepsen history file is checked in the History tab; a bad one says its line', async () => {
  const page = await openPage(context, '#lab=replication&preset=cap-cp');
  await page.getByTestId('canvas').waitFor();
  await pause(page);
  await page.getByTestId('tab-history').click();
  const input = page.getByTestId('history-file-input');
  await input.setInputFiles(fixture('two-keys.edn'));
  const result = page.getByTestId('history-file-result');
  await result.waitFor({ timeout: 20_000 });
  assert.equal(await result.getAttribute('data-verdict'), 'not linearizable');
  assert.equal(await page.getByTestId('file-key-x').getAttribute('data-state'), 'holds');
  assert.equal(await page.getByTestId('file-key-y').getAttribute('data-state'), 'violated');
  assert.match(await page.getByTestId('file-key-y').textContent(), /let A be process 0's write of 1.*a contradiction/s);
  assert.equal(await page.locator('[data-testid=history-file-chart] .offending').count(), 2);
  await screenshot(page, 'history-file-checked');

  await input.setInputFiles(fixture('bad.edn'));
  const error = page.getByTestId('history-file-error');
  await error.waitFor();
  assert.match(await error.textContent(), /bad\.edn.*line 3.*one key has no value/);
  assert.equal(await result.count(), 1, 'the last result stays');
  // The run is untouched: the tab's own check still works.
  await page.getByTestId('check-history').click();
  await page.getByTestId('verdict-linearizable').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
