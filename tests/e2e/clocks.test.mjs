// The clocks lab through the page: every preset played to its end, with its stamps on the
// space-time diagram (switchable between Lamport, vector and HLC), its pictures, and what it
// exists to show in the Invariants tab. One browser for the file; each preset played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, speed, check) => playPreset(context, 'clocks', preset, speed, check);

/** [Lamport, vector, hybrid, external consistency, commit out of order, lost write, timeout]. */
const states = (page) => invariantStates(page, 7);

async function picture(page, id) {
  const p = page.getByTestId(`picture-${id}`);
  await p.waitFor();
  return p.textContent();
}

const labels = (page) => page.locator('[data-testid=spacetime] text.stamp').allTextContents();

async function showStamps(page, set) {
  await page.getByTestId('stamp-sets').getByRole('button', { name: set, exact: true }).click();
}

test('lamport-example: the seeds\' six stamps on the diagram, then the vectors', async () => {
  await played('lamport-example', '1×', async (page) => {
    assert.deepEqual((await labels(page)).sort(), ['1', '2', '3', '4', '5', '6']);
    await showStamps(page, 'vector');
    assert.ok((await labels(page)).includes('[2,1]'));
    assert.deepEqual(await states(page), ['holds', 'holds', 'holds', 'holds', 'not seen', 'not seen', 'not seen']);
    assert.match(await picture(page, 'stamps'), /receive from S1/);
  });
});

test('vector-concurrency: concurrent events have incomparable vectors', async () => {
  await played('vector-concurrency', '5×', async (page) => {
    assert.ok((await labels(page)).some((l) => /^\[\d+,\d+,\d+\]$/.test(l)));
    assert.match(await picture(page, 'stamps'), /concurrent/);
    assert.deepEqual((await states(page)).slice(0, 3), ['holds', 'holds', 'holds']);
  });
});

test('skew-and-steps: a stepped wall clock misfires a timeout; hybrid stamps carry on', async () => {
  await played('skew-and-steps', '10×', async (page) => {
    assert.ok((await labels(page)).every((l) => /s\+\d+$/.test(l)));
    assert.match(await picture(page, 'clock-error'), /S3 monotonic/);
    const s = await states(page);
    assert.deepEqual(s.slice(0, 3), ['holds', 'holds', 'holds']);
    assert.equal(s[6], 'happened');
  });
});

test('lww-skew: the later write is silently lost', async () => {
  await played('lww-skew', '10×', async (page) => {
    assert.match(await picture(page, 'writes'), /lost to x=/);
    assert.equal((await states(page))[5], 'happened');
    assert.ok(await logLines(page, 'discards x=2') > 0);
  });
});

test('truetime-commit-wait: timestamps follow real time', async () => {
  await played('truetime-commit-wait', '2×', async (page) => {
    assert.match(await picture(page, 'commits'), /T1\.\d+ ts/);
    const s = await states(page);
    assert.deepEqual(s.slice(3, 5), ['holds', 'not seen']);
  });
});

test('no-commit-wait: a commit stamped before one that finished first', async () => {
  await played('no-commit-wait', '2×', async (page) => {
    const s = await states(page);
    assert.deepEqual(s.slice(3, 5), ['holds', 'happened']);
  });
});
