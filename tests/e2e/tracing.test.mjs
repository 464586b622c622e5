// The tracing lab through the page: every preset played to its end, with what it exists
// to show read off the waterfall, the p99 bars, the SLO and the Invariants tab; and a trace
// downloaded in both export formats (the lab's own files in the Downloads menu), parsed.
// One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, playPreset, invariantStates } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'tracing', preset, '5×', check);

async function caption(page, picture) {
  const frame = page.getByTestId(`picture-${picture}`);
  await frame.waitFor({ timeout: 20_000 });
  return frame.getByTestId('picture-caption').textContent();
}

/** [every span has its parent, error budget burning fast]. */
const states = (page) => invariantStates(page, 2);

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: file.suggestedFilename(), json: JSON.parse(readFileSync(await file.path(), 'utf8')) };
}

test('a healthy fan-out, and its trace downloaded as Chrome trace events and OTLP JSON', async () => {
  await played('fan-out', async (page) => {
    assert.match(await caption(page, 'waterfall'), /6 spans over \d+ ms/);
    assert.deepEqual(await states(page), ['holds', 'not seen']);
    await page.getByTestId('share-button').click();
    const chrome = await download(page, 'export-lab-chrome-trace');
    assert.match(chrome.name, /^failscope-tracing-seed1-t\d+ms-chrome-trace\.json$/);
    const complete = chrome.json.traceEvents.filter((e) => e.ph === 'X');
    assert.equal(complete.length, 6);
    for (const e of complete) {
      assert.equal(typeof e.name, 'string');
      assert.ok(Number.isInteger(e.ts) && Number.isInteger(e.dur) && Number.isInteger(e.pid) && Number.isInteger(e.tid));
    }
    const otlp = await download(page, 'export-lab-otlp');
    const spans = otlp.json.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    assert.equal(spans.length, 6);
    for (const s of spans) {
      assert.match(s.traceId, /^[0-9a-f]{32}$/);
      assert.match(s.spanId, /^[0-9a-f]{16}$/);
      assert.ok(s.parentSpanId === undefined || /^[0-9a-f]{16}$/.test(s.parentSpanId));
      assert.match(s.startTimeUnixNano, /^\d+$/);
      assert.match(s.endTimeUnixNano, /^\d+$/);
    }
  });
});

test('a slow dependency and a failing one burn the error budget', async () => {
  await played('slow-dependency', async (page) => {
    assert.equal((await states(page))[1], 'happened');
    assert.match(await caption(page, 'red'), /database/);
  });
  await played('errors', async (page) => {
    assert.equal((await states(page))[1], 'happened');
    // RED: rate, errors and duration each have their own picture.
    assert.match(await caption(page, 'red-rate'), /last second/);
    assert.match(await caption(page, 'red-errors'), /ended in an error/);
  });
});

test('sampling and a wide fan-out', async () => {
  await played('sampling', async (page) => {
    assert.match(await caption(page, 'waterfall'), /6 spans/);
  });
  await played('wide-fan-out', async (page) => {
    assert.match(await caption(page, 'waterfall'), /9 spans/);
  });
});
