// Share links, reloading, bad links, and embedding — driven through the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage, screenshot, nodes, simTime, setSpeed, play, pause, waitForNodes } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function playedRaft() {
  const page = await openPage(context, '#lab=raft');
  await setSpeed(page, '1×');
  await play(page);
  await waitForNodes(page, (ns) => ns.some((n) => n.role === 'leader'), 'a leader');
  // Crash the leader so the session has an action of its own in the link.
  const leader = (await nodes(page)).find((n) => n.role === 'leader');
  await page.getByTestId(`node-${leader.name}`).click();
  await page.getByTestId('crash').click();
  await page.waitForTimeout(700);
  await pause(page);
  return page;
}

test('a copied link opens the identical run at the same moment, paused', async () => {
  const page = await playedRaft();
  const then = { time: await simTime(page), nodes: await nodes(page) };
  await page.getByTestId('share-button').click();
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  assert.match(link, /#s=1\./);
  assert.ok(link.length < 2000, `a short session makes a short link (${link.length})`);
  const other = await openPage(context, link.slice(link.indexOf('#')));
  await other.getByTestId('canvas').waitFor();
  await other.getByTestId('catching-up').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await simTime(other), then.time);
  assert.deepEqual(await nodes(other), then.nodes);
  assert.equal(await other.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  await screenshot(other, 'shared-link-opened');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
  await page.close();
  await other.close();
});

test('reloading keeps the session, and the back button leaves it', async () => {
  const page = await openPage(context, '');
  await page.getByTestId('open-raft').click();
  await page.getByTestId('canvas').waitFor();
  await setSpeed(page, '1×');
  await play(page);
  await page.waitForTimeout(800);
  await pause(page);
  const then = { time: await simTime(page), nodes: await nodes(page) };
  await page.waitForTimeout(200);
  assert.match(page.url(), /#s=1\./, 'the address follows the session');
  await page.reload();
  await page.getByTestId('canvas').waitFor();
  await page.getByTestId('catching-up').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await simTime(page), then.time);
  assert.deepEqual(await nodes(page), then.nodes);
  await page.goBack();
  await page.getByTestId('lab-picker').waitFor();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a corrupted link shows what is wrong and a way forward', async () => {
  for (const bad of ['#s=1.AAAA', '#s=1.%%%', '#s=7.abc', `#s=1.${'x'.repeat(70000)}`]) {
    const page = await openPage(context, bad);
    await page.getByTestId('error-panel').waitFor();
    const message = await page.getByTestId('error-message').textContent();
    assert.match(message, /damaged|format|characters long|scenario/, message);
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  const page = await openPage(context, '#s=1.AAAA');
  await page.getByTestId('open-default').click();
  await page.getByTestId('canvas').waitFor();
  await page.close();
});

test('the embed demo page shows two working embeds, driven by postMessage', async () => {
  const page = await openPage(context, 'embed-demo.html');
  const raft = page.frameLocator('[data-testid=embed-raft]');
  const beats = page.frameLocator('[data-testid=embed-failure-detection]');
  await raft.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await beats.getByTestId('canvas').waitFor({ timeout: 20_000 });
  assert.equal(await raft.getByTestId('tab-inspector').count(), 0, 'embeds show only the canvas and compact controls');
  assert.equal(await raft.getByTestId('open-in-failscope').count(), 1);
  // Figure 1 waits to be asked; figure 2 autoplays.
  assert.equal(await raft.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  await page.getByTestId('host-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=host-state]').dataset.playing === 'true');
  await page.waitForTimeout(500);
  await page.getByTestId('host-pause').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=host-state]').dataset.playing === 'false');
  assert.equal(await raft.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  await page.getByTestId('host-seek').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=host-state]').dataset.timeUs) === 1000000);
  assert.equal(await beats.getByTestId('play-pause').getAttribute('aria-pressed'), 'true');
  await screenshot(page, 'embed-demo');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an embed\'s "Open in Failscope" opens the same run at the same moment', async () => {
  const page = await openPage(context, '?embed#lab=raft&preset=leader-crash');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await setSpeed(page, '1×');
  await play(page);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=sim-time]').dataset.us) >= 1_200_000, null, { timeout: 30_000 });
  await pause(page);
  const [at, seen] = [await simTime(page), await nodes(page)];
  const [full] = await Promise.all([context.waitForEvent('page'), page.getByTestId('open-in-failscope').click()]);
  await full.getByTestId('tab-inspector').waitFor({ timeout: 20_000 }); // the full page, not an embed
  await full.waitForFunction((t) => Number(document.querySelector('[data-testid=sim-time]')?.dataset.us) === t, at, { timeout: 30_000 });
  assert.deepEqual(await nodes(full), seen, 'the same servers in the same states');
  await full.close();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('every listed lab works embedded: the picture, play, and no error', async () => {
  const home = await openPage(context);
  await home.getByTestId('lab-picker').waitFor({ timeout: 20_000 });
  const labs = [...new Set(await home.$$eval('[data-testid^="preset-link-"]', (els) => els.map((el) => new URLSearchParams(new URL(el.href).hash.slice(1)).get('lab'))))];
  await home.close();
  assert.ok(labs.length >= 6, `${labs}`);
  const page = await openPage(context, '?embed');
  for (const lab of labs) {
    await page.goto(new URL(`?embed#lab=${lab}`, BASE_URL).href);
    await page.locator(`[data-lab="${lab}"] [data-testid=canvas] .node`).first().waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('tab-inspector').count(), 0, `${lab}: the compact embed page`);
    const before = await simTime(page);
    await setSpeed(page, '1×');
    await play(page);
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid=sim-time]').dataset.us) > t, before, { timeout: 20_000 });
    await pause(page);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('malformed host messages are ignored', async () => {
  const page = await openPage(context, '?embed#lab=raft');
  await page.getByTestId('canvas').waitFor();
  // Messages not from a parent page, or of the wrong shape, change nothing and throw nothing.
  await page.evaluate(() => {
    for (const m of [null, 'play', { failscope: 'explode' }, { failscope: 'seek', time_us: 'soon' }, { failscope: 'play' }]) {
      window.postMessage(m, '*');
    }
  });
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('exports download pictures, the trace, the history and the scenario, and a scenario imports back', async () => {
  const page = await playedRaft();
  await page.getByTestId('share-button').click();
  const download = async (testid) => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
    const path = await file.path();
    const { readFileSync } = await import('node:fs');
    return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8'), bytes: readFileSync(path) };
  };
  const svg = await download('export-svg');
  assert.match(svg.name, /^failscope-raft-seed1-t\d+ms\.svg$/);
  assert.match(svg.text, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg.text, /data-testid="node-S1"/);
  const png = await download('export-png');
  assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file');
  const spacetime = await download('export-spacetime-png');
  assert.match(spacetime.name, /-spacetime\.png$/);
  // Interop: the space-time diagram as Mermaid and PlantUML text, the history as Jepsen EDN.
  const mermaid = await download('export-spacetime-mermaid');
  assert.match(mermaid.name, /-spacetime\.mmd$/);
  assert.match(mermaid.text, /^sequenceDiagram\n/);
  const plantuml = await download('export-spacetime-plantuml');
  assert.match(plantuml.name, /-spacetime\.puml$/);
  assert.match(plantuml.text, /^@startuml\n[^]*@enduml\n?$/);
  const edn = await download('export-history-edn');
  assert.match(edn.name, /-history\.edn$/);
  assert.match(edn.text, /^\{:process \d+, :type :invoke/);
  const history = JSON.parse((await download('export-history')).text);
  assert.equal(history.format, 'failscope-history/1');
  assert.ok(history.events.some((e) => e.type === 'invoke') && history.events.some((e) => e.type === 'ok'));
  // JSON lines: a header, then one event per line.
  const traceFile = await download('export-trace');
  assert.match(traceFile.name, /-trace\.jsonl$/);
  const [trace, ...traceEvents] = traceFile.text.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(trace.format, 'failscope-trace/1');
  assert.equal(trace.n_events, traceEvents.length);
  assert.ok(traceEvents.length > 10 && trace.message_kinds.includes('AppendEntries'));
  // The same trace gzip-compressed by the browser: gzip's magic bytes, then the same lines.
  const gz = await download('export-trace-gz');
  assert.match(gz.name, /-trace\.jsonl\.gz$/);
  assert.deepEqual([...gz.bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic bytes');
  const { gunzipSync } = await import('node:zlib');
  assert.equal(gunzipSync(gz.bytes).toString('utf8'), traceFile.text);
  assert.ok(gz.bytes.length * 4 < traceFile.bytes.length, `${gz.bytes.length} of ${traceFile.bytes.length} bytes`);
  const scenarioFile = await download('export-scenario');
  const scenario = JSON.parse(scenarioFile.text);
  assert.equal(scenario.lab, 'raft');
  assert.ok(scenario.actions.length >= 1, 'the crash is in the action log');
  // Import it back: the run restarts from the same scenario, actions and all.
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'fs-import-')), 'scenario.json');
  // Edited, as a person would: three servers and another seed.
  writeFileSync(file, JSON.stringify({ ...scenario, n_nodes: 3, seed: 4242 }));
  const before = page.url();
  await page.getByTestId('import-scenario').setInputFiles(file);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid^="node-S"]').length === 3);
  assert.equal(await page.getByTestId('seed').inputValue(), '4242');
  assert.notEqual(page.url(), before, 'the address is the imported run');
  await page.getByTestId('canvas').waitFor();
  writeFileSync(file, '{"not": "a scenario"}');
  await page.getByTestId('share-button').click();
  await page.getByTestId('import-scenario').setInputFiles(file);
  await page.getByTestId('share-status').waitFor();
  assert.match(await page.getByTestId('share-status').textContent(), /not a Failscope scenario/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an exported picture of a busy run includes the messages painted on the canvas', async () => {
  const page = await openPage(context, '#lab=failure-detection&preset=stress');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=message-canvas]')?.dataset.count ?? 0) > 300, null, { timeout: 20_000 });
  await pause(page);
  const painted = Number(await page.getByTestId('message-canvas').getAttribute('data-count'));
  await page.getByTestId('share-button').click();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  const { readFileSync } = await import('node:fs');
  const svg = readFileSync(await file.path(), 'utf8');
  const circles = (svg.match(/<circle/g) ?? []).length;
  assert.ok(circles >= painted + 50, `${circles} circles in the SVG for ${painted} painted messages and 50 servers`);
  assert.equal(await page.locator('svg[data-testid=canvas] circle:not([data-testid])').count() > painted, false, 'the temporary circles are gone');
  assert.deepEqual(page.errors, []);
  await page.close();
});
