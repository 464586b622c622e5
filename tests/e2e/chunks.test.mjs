// Each lab's code is a chunk of its own: the home page fetches none (only the picker's chunk,
// with the labs' blurbs), a lab's page fetches only its own (and chunks it shares with
// others), and a chunk that cannot be fetched says so with a retry instead of a blank page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

/** The wasm files a page requested, by file name. */
function recordWasm(page) {
  const fetched = [];
  page.on('request', (request) => {
    const name = new URL(request.url()).pathname.split('/').pop();
    if (name.endsWith('.wasm')) fetched.push(name);
  });
  return fetched;
}

test('the home page fetches no lab code; a lab page fetches only its own chunk', async () => {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  const fetched = recordWasm(page);
  await page.goto(new URL('', process.env.FAILSCOPE_URL ?? 'http://127.0.0.1:8080/').href);
  await page.getByTestId('lab-picker').waitFor();
  assert.deepEqual(fetched.filter((f) => f.startsWith('split_')), ['split_lab_picker.wasm'], 'no lab chunk on the home page, only the picker');
  await page.getByTestId('open-raft').click();
  await page.getByTestId('canvas').waitFor();
  const splits = fetched.filter((f) => f.startsWith('split_'));
  assert.deepEqual(splits, ['split_lab_picker.wasm', 'split_raft.wasm'], 'then only the Raft chunk');
  // The history checkers come only when something needs them: the side-by-side page does.
  // (First let the page write its own link into the address bar, as it does on opening: a
  // hash set before that would be replaced by it.)
  await page.waitForFunction(() => location.hash.startsWith('#s='), null, { timeout: 20_000 });
  await page.evaluate(() => { location.hash = 'compare=replication/cap-cp,replication/cap-ap'; });
  await page.getByTestId('stale').first().waitFor({ timeout: 40_000 });
  assert.ok(fetched.includes('split_history_checks.wasm'), 'the checkers chunk, for the comparison');
  assert.ok(fetched.includes('split_replication.wasm'), 'and the compared lab');
  assert.match(await page.getByTestId('stale').first().textContent(), /of \d+ reads/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a lab whose chunk cannot be fetched says so, and Try again opens it', async () => {
  const page = await openPage(context);
  await page.getByTestId('lab-picker').waitFor();
  let blocked = true;
  await page.route('**/split_failure_detection.wasm', (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  await page.evaluate(() => { location.hash = 'lab=failure-detection'; });
  await page.getByTestId('lab-load-error').waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('error-message').textContent(), /could not be downloaded/);
  assert.match(page.url(), /lab=failure-detection/, 'the address keeps the lab');
  blocked = false;
  await page.getByTestId('lab-load-retry').click();
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  // The split loader reports the failed fetch on the console; nothing else may.
  const others = page.errors.filter((e) => !/split_failure_detection|Failed to fetch|Failed to load resource|ERR_INTERNET_DISCONNECTED|TypeError|network/i.test(e));
  assert.deepEqual(others, []);
  await page.close();
});

test('a lab page fetches the picture kinds it draws and no others; a panel comes when it is opened', async () => {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  const fetched = recordWasm(page);
  await page.goto(new URL('#lab=hash-ring', process.env.FAILSCOPE_URL ?? 'http://127.0.0.1:8080/').href);
  await page.locator('[data-testid="picture-ring"] [data-testid^="ring-owner-"]').first().waitFor({ timeout: 20_000 });
  const splits = () => fetched.filter((f) => f.startsWith('split_')).sort();
  assert.deepEqual(splits(), ['split_hash_ring.wasm', 'split_picture_bars.wasm', 'split_picture_ring.wasm'],
    'the lab and the two kinds it draws (ring, bars), nothing else');
  await page.getByTestId('share-button').click();
  await page.getByTestId('share-menu').waitFor({ timeout: 20_000 });
  assert.ok(fetched.includes('split_share_menu.wasm'), 'the share menu arrives when opened');
  assert.ok(!fetched.includes('split_params_panel.wasm'), 'the Parameters tab is not fetched before it is opened');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a panel whose chunk cannot be fetched says so in its place, and Try again shows it', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  let blocked = true;
  await page.route('**/split_params_panel.wasm', (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  await page.getByTestId('tab-parameters').click();
  const error = page.getByTestId('deferred-error');
  await error.waitFor({ timeout: 20_000 });
  assert.match(await error.textContent(), /the Parameters tab could not be downloaded/);
  assert.equal(await page.getByTestId('canvas').count(), 1, 'the rest of the page stays');
  blocked = false;
  await page.getByTestId('deferred-retry').click();
  await page.getByTestId('params').waitFor({ timeout: 20_000 });
  assert.equal(await page.getByTestId('deferred-error').count(), 0);
  await page.close();
});

test('a picture kind whose chunk cannot be fetched stops the lab with a retry, not a blank picture', async () => {
  const page = await openPage(context);
  await page.getByTestId('lab-picker').waitFor();
  let blocked = true;
  await page.route('**/split_picture_bars.wasm', (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  await page.evaluate(() => { location.hash = 'lab=failure-detection'; });
  await page.getByTestId('lab-load-error').waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('error-message').textContent(), /the bars picture could not be downloaded/);
  blocked = false;
  await page.getByTestId('lab-load-retry').click();
  await page.locator('[data-kind="bars"] svg').first().waitFor({ timeout: 20_000 });
  await page.close();
});
