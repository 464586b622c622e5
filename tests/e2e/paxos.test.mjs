// The paxos lab through the page: every preset played to its end, with what it exists to
// show visible in the acceptor × ballot grid (its banner names the chosen value), the
// Invariants tab and the event log. One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed, play } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function played(preset, check) {
  const page = await openPage(context, `#lab=paxos&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, '20×');
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `paxos-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** The Invariants tab: [one value, validity, no un-learning, a value chosen, the duel]. */
async function states(page) {
  await page.getByTestId('tab-invariants').click();
  return Promise.all([0, 1, 2, 3, 4].map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

const SAFE = ['holds', 'holds', 'holds'];

async function grid(page) {
  const picture = page.getByTestId('picture-ballots');
  await picture.waitFor();
  return picture.textContent();
}

async function logHas(page, text) {
  await page.getByTestId('tab-event-log').click();
  // The event log is a chunk of its own: wait for it (and the line) to arrive.
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return line.count();
}

test('one proposer: A is chosen and the banner says so', async () => {
  await played('one-proposer', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await grid(page), /Chosen: A \(learned by S5\)/);
    assert.ok(await logHas(page, 'S5 learns A') > 0);
  });
});

test('duelling proposers without backoff: nothing chosen for ten seconds', async () => {
  await played('duel', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'not yet', 'happened']);
    assert.match(await grid(page), /nothing learned yet/);
    assert.ok(await logHas(page, 'tries again at once') > 0);
  });
});

test('backoff ends the duel', async () => {
  await played('duel-backoff', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await grid(page), /Chosen: [AB]/);
    assert.ok(await logHas(page, 'backs off for') > 0);
  });
});

test('a latecomer adopts A from the promises', async () => {
  await played('late-proposer', async (page) => {
    assert.deepEqual((await states(page)).slice(0, 4), [...SAFE, 'seen']);
    assert.match(await grid(page), /Chosen: A/);
    assert.ok(await logHas(page, "S2 adopts A from S3's promise") > 0);
  });
});

test('two of five acceptors down still decide, three do not', async () => {
  await played('two-down', async (page) => {
    assert.equal((await states(page))[3], 'seen');
    assert.match(await grid(page), /Chosen: A/);
  });
  await played('three-down', async (page) => {
    assert.deepEqual((await states(page)).slice(0, 4), [...SAFE, 'not yet']);
    assert.match(await grid(page), /nothing learned yet/);
    assert.ok(await logHas(page, 'hears no majority in time') > 0);
  });
});

test('promises survive a restart: S1\'s old ballot is refused', async () => {
  await played('restart', async (page) => {
    assert.deepEqual((await states(page)).slice(0, 4), [...SAFE, 'seen']);
    assert.match(await grid(page), /Chosen: B/);
    assert.ok(await logHas(page, 'S1 adopts B') > 0);
  });
});
