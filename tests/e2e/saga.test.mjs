// The saga lab through the page: every preset played to its end, with what it exists to
// show read off the services, the Invariants tab, the event log and the saga's swimlanes.
// One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, nodes, setSpeed, play } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function played(preset, check) {
  const page = await openPage(context, `#lab=saga&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, '5×');
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `saga-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** [each compensation at most once, every step done or compensated, dirty read]. */
async function states(page) {
  await page.getByTestId('tab-invariants').click();
  return Promise.all([0, 1, 2].map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

/** The event log's lines containing `text`, oldest first. */
async function logLines(page, text) {
  await page.getByTestId('tab-event-log').click();
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return (await line.allTextContents()).reverse();
}

async function services(page) {
  const ns = await nodes(page);
  return ['S2', 'S3', 'S4'].map((name) => ns.find((n) => n.name === name).headline);
}

const saga = (page) => page.getByTestId('picture-saga');

test('orchestration: the hotel, then the flight, are cancelled', async () => {
  await played('orchestration', async (page) => {
    assert.deepEqual(await services(page), ['cancelled', 'cancelled', 'booking failed']);
    const cancels = await logLines(page, 'cancels the');
    assert.match(cancels[0], /S3 cancels the hotel/);
    assert.match(cancels[1], /S2 cancels the flight/);
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen']);
    assert.match(await saga(page).textContent(), /compensating/);
  });
});

test('choreography: the same end, reached by events', async () => {
  await played('choreography', async (page) => {
    assert.deepEqual(await services(page), ['cancelled', 'cancelled', 'booking failed']);
    assert.equal((await nodes(page)).find((n) => n.name === 'S1').role, 'customer');
    assert.ok((await logLines(page, 'every step done has been compensated')).length > 0);
  });
});

test('nothing fails: the trip is booked', async () => {
  await played('all-booked', async (page) => {
    assert.deepEqual(await services(page), ['booked', 'booked', 'booked']);
  });
});

test('a failed cancellation is retried', async () => {
  await played('compensation-retry', async (page) => {
    assert.ok((await logLines(page, 'S3 fails to cancel the hotel')).length === 1);
    assert.deepEqual(await services(page), ['cancelled', 'cancelled', 'booking failed']);
  });
});

test('a repeated cancellation is recognised by its key', async () => {
  await played('duplicate-cancel', async (page) => {
    assert.ok((await logLines(page, 'has already cancelled booking saga1-hotel')).length === 1);
    assert.equal((await states(page))[0], 'holds');
    assert.match(await saga(page).textContent(), /repeat ignored|S3/);
  });
});

test('a dirty read, and the semantic lock that prevents it', async () => {
  await played('dirty-read', async (page) => {
    assert.equal((await states(page))[2], 'happened');
  });
  await played('semantic-lock', async (page) => {
    assert.equal((await states(page))[2], 'not seen');
    assert.ok((await logLines(page, 'S5 reads the hotel room as pending')).length === 1);
  });
});
