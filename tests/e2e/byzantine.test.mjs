// The byzantine lab through the page: every preset played to its end, with what it exists
// to show visible in the Invariants tab, the event log and the recursion trees. One browser
// for the file; each preset is played once (each lasts under half a second of sim time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'byzantine', preset, '1×', check);

/** [IC1, IC2, loyal lieutenants disagree, a loyal commander disobeyed]. */
const states = (page) => invariantStates(page, 4);

async function picture(page, id) {
  const p = page.getByTestId(`picture-${id}`);
  await p.waitFor();
  return p.textContent();
}

test('three generals: the lying lieutenant makes S2 retreat against its commander', async () => {
  await played('three-generals', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'happened']);
    assert.ok(await logLines(page, 'S2 decides retreat') > 0);
    assert.match(await picture(page, 'tree-s2'), /majority: retreat/);
  });
});

test('four generals: the loyal lieutenants outvote the liar', async () => {
  await played('four-generals', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'not seen']);
    assert.ok(await logLines(page, 'S3 decides attack') > 0);
    assert.match(await picture(page, 'tree-s2'), /majority: attack/);
  });
});

test('a traitor commander: the lieutenants still agree', async () => {
  await played('traitor-commander', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'not seen']);
    assert.equal(await logLines(page, 'decides attack'), 3);
  });
});

test('seven generals, two traitors: OM(2) holds', async () => {
  await played('seven-generals', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'not seen']);
    assert.match(await picture(page, 'messages'), /OM\(2\) sends 156 in all/);
  });
});

test('the naive vote: two colluding traitors split the loyal lieutenants', async () => {
  await played('naive-vote', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'happened', 'not seen']);
    assert.ok(await logLines(page, 'S6 decides retreat') > 0);
    assert.ok(await logLines(page, 'S3 decides attack') > 0);
  });
});

test('signed messages: S2 throws the forgery away and attacks', async () => {
  await played('signed-three', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'not seen']);
    assert.ok(await logLines(page, 'signatures do not match') > 0);
    assert.ok(await logLines(page, 'S2 decides attack') > 0);
  });
});
