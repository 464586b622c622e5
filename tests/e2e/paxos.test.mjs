// The paxos lab through the page: every preset played to its end, with what it exists to
// show visible in the acceptor × ballot grid (its banner names the chosen value), the
// Invariants tab and the event log. One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const SAFE = ['holds', 'holds', 'holds'];

/** Play a preset at 20×. */
const played = (preset, check) => playPreset(context, 'paxos', preset, '20×', check);

/** [one value, validity, no un-learning, a value chosen, the duel]. */
const states = (page) => invariantStates(page, 5);

async function grid(page) {
  const picture = page.getByTestId('picture-ballots');
  await picture.waitFor();
  return picture.textContent();
}

test('one proposer: A is chosen and the banner says so', async () => {
  await played('one-proposer', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await grid(page), /Chosen: A \(learned by S5\)/);
    assert.ok(await logLines(page, 'S5 learns A') > 0);
  });
});

test('duelling proposers without backoff: nothing chosen for ten seconds', async () => {
  await played('duel', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'not yet', 'happened']);
    assert.match(await grid(page), /nothing learned yet/);
    assert.ok(await logLines(page, 'tries again at once') > 0);
  });
});

test('backoff ends the duel', async () => {
  await played('duel-backoff', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await grid(page), /Chosen: [AB]/);
    assert.ok(await logLines(page, 'backs off for') > 0);
  });
});

test('a latecomer adopts A from the promises', async () => {
  await played('late-proposer', async (page) => {
    assert.deepEqual((await states(page)).slice(0, 4), [...SAFE, 'seen']);
    assert.match(await grid(page), /Chosen: A/);
    assert.ok(await logLines(page, "S2 adopts A from S3's promise") > 0);
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
    assert.ok(await logLines(page, 'hears no majority in time') > 0);
  });
});

test('promises survive a restart: S1\'s old ballot is refused', async () => {
  await played('restart', async (page) => {
    assert.deepEqual((await states(page)).slice(0, 4), [...SAFE, 'seen']);
    assert.match(await grid(page), /Chosen: B/);
    assert.ok(await logLines(page, 'S1 adopts B') > 0);
  });
});
