// The unreliable-network lab through the page: the six presets in which a call times out
// (the client's node reads the same in each, the "what really happened" grid differs), and
// the two retries, without a key (charged twice: the check fires) and with one (the key
// table answers the repeat). One browser for the file; each preset is played once, at 10×.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines, nodes } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'unreliable-network', preset, '10×', check);

/** [each call takes effect at most once, charged behind the client's back]. */
const states = (page) => invariantStates(page, 2);

async function picture(page, id) {
  const p = page.getByTestId(`picture-${id}`);
  await p.waitFor();
  return p.textContent();
}

async function client(page) {
  return (await nodes(page)).find((n) => n.name === 'S1').headline;
}

// What the server's side shows for each fate, while the client reads "call 1: timed out".
const fates = {
  'request-lost': [/never arrived/, 'not seen'],
  'request-delayed': [/late, 1\.200 s: discarded/, 'happened'],
  'server-crashed': [/crashed before processing/, 'not seen'],
  'server-paused': [/charged #1/, 'happened'],
  'response-lost': [/not arrived/, 'happened'],
  'response-delayed': [/late, 1\.050 s: discarded/, 'happened'],
};

for (const [preset, [truth, behind]] of Object.entries(fates)) {
  test(`${preset}: the client sees a timeout; the grid shows what happened`, async () => {
    await played(preset, async (page) => {
      assert.equal(await client(page), 'call 1: timed out');
      const grid = await picture(page, 'attempts');
      assert.match(grid, /timeout/);
      assert.match(grid, truth);
      assert.deepEqual(await states(page), ['holds', behind]);
    });
  });
}

test('retry without a key: the card is charged twice and the check fires', async () => {
  await played('retry-no-key', async (page) => {
    assert.deepEqual(await states(page), ['violated', 'not seen']);
    assert.match(await picture(page, 'attempts'), /charged #2/);
    assert.match(await picture(page, 'attempts'), /at-least-once/);
    assert.ok(await logLines(page, 'S1 hears nothing about call 1 (try 1): it retries as a new request') > 0);
  });
});

test('retry with a key: the server answers the repeat from its key table', async () => {
  await played('retry-with-key', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen']);
    const keys = await picture(page, 'keys');
    assert.match(keys, /k1/);
    assert.match(keys, /1 answered/);
    assert.match(await picture(page, 'attempts'), /effectively-once/);
    assert.ok(await logLines(page, 'S2 finds key k1 in its table') > 0);
  });
});
