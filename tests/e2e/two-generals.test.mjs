// The two-generals lab through the page: every preset played to its end, with what it
// exists to show visible in the Invariants tab, the messenger grid and the table of chain
// lengths. One browser for the file; each preset is played once, at 20×.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'two-generals', preset, '20×', check);

/** [an order is carried out once, both attack or neither]. */
const states = (page) => invariantStates(page, 2);

async function picture(page, id) {
  const p = page.getByTestId(`picture-${id}`);
  await p.waitFor();
  return p.textContent();
}

for (const preset of ['one-message', 'message-and-ack', 'long-chain']) {
  test(`${preset}: some day a captured messenger leaves one general attacking alone`, async () => {
    await played(preset, async (page) => {
      assert.deepEqual(await states(page), ['holds', 'happened']);
      assert.match(await picture(page, 'chain'), /captured/);
      assert.match(await picture(page, 'rates'), /measured here/);
      assert.ok(await logLines(page, 'is captured') > 0);
    });
  });
}

test('retries: A resends, B acts once, and the generals agree', async () => {
  await played('retries', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen']);
    assert.match(await picture(page, 'chain'), /acked/);
    assert.ok(await logLines(page, 'S2 attacks on day') > 0);
  });
});
