// The History tab's "Check a history file…": a hand-made Jepsen EDN file (fixtures/) checked in
// the browser, verdict per key and offending set; a bad file says its line and loses nothing.
// An imported history's link opens the History tab with it checked; a history too large for a
// link says so; a damaged history link says what is wrong and the page still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('an imported history gets a link that opens the History tab with it checked', async () => {
  const page = await openPage(context, '#lab=replication&preset=cap-cp');
  await page.getByTestId('canvas').waitFor();
  await pause(page);
  await page.getByTestId('tab-history').click();
  await page.getByTestId('history-file-input').setInputFiles(fixture('two-keys.edn'));
  await page.getByTestId('history-file-result').waitFor({ timeout: 20_000 });
  await page.getByTestId('history-file-copy-link').click();
  const url = await page.getByTestId('history-file-link').inputValue();
  assert.match(url, /#lab=replication&h=1\.[A-Za-z0-9_-]+$/);
  assert.match(await page.getByTestId('history-file-link-status').textContent(), /characters|Copy it/);
  await page.close();

  const opened = await openPage(context, url);
  const result = opened.getByTestId('history-file-result');
  await result.waitFor({ timeout: 20_000 });
  assert.equal(await opened.getByTestId('tab-history').getAttribute('aria-selected'), 'true');
  assert.equal(await result.getAttribute('data-verdict'), 'not linearizable');
  assert.match(await result.textContent(), /two-keys\.edn/);
  assert.equal(await opened.getByTestId('file-key-y').getAttribute('data-state'), 'violated');
  assert.equal(await opened.locator('[data-testid=history-file-chart] .offending').count(), 2);
  await screenshot(opened, 'history-link-opened');
  assert.deepEqual(opened.errors, []);
  await opened.close();
});

test('a history too large for a link says so, with its sizes', async () => {
  // Writes of values no compressor can predict: about 0.9 MB, far more than a link holds.
  const lines = [];
  let state = 12345n;
  for (let i = 0; i < 8000; i++) {
    state = (state * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    const v = state >> 24n;
    lines.push(`{:process 0, :type :invoke, :f :write, :value ${v}}`, `{:process 0, :type :ok, :f :write, :value ${v}}`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'failscope-history-')), 'big.edn');
  writeFileSync(file, lines.join('\n') + '\n');
  const page = await openPage(context, '#lab=replication&preset=cap-cp');
  await page.getByTestId('canvas').waitFor();
  await pause(page);
  await page.getByTestId('tab-history').click();
  await page.getByTestId('history-file-input').setInputFiles(file);
  const result = page.getByTestId('history-file-result');
  await result.waitFor({ timeout: 60_000 });
  assert.equal(await result.getAttribute('data-verdict'), 'linearizable');
  assert.equal(await page.getByTestId('history-file-copy-link').count(), 0);
  assert.match(
    await page.getByTestId('history-file-too-large').textContent(),
    /this history is \d+ KB of text; as a link it would be \d+ characters, more than the 65536 a Failscope link can carry\. Share the file instead/,
  );
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a damaged history link says what is wrong and the page still works', async () => {
  const page = await openPage(context, '#lab=replication&h=1.not*base64!');
  const error = page.getByTestId('history-file-error');
  await error.waitFor({ timeout: 20_000 });
  assert.match(await error.textContent(), /This history link cannot be opened: the link is damaged/);
  assert.equal(await page.getByTestId('tab-history').getAttribute('aria-selected'), 'true');
  // The lab and the tab's own check work as ever.
  await page.getByTestId('check-history').click();
  await page.getByTestId('verdict-linearizable').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});
