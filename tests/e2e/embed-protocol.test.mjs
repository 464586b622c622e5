// The embed's postMessage protocol, version 1 ({ failscope: 1, type, … }): it starts with a
// `ready` from the embed, obeys only its parent window from the pinned origin, and ignores
// anything malformed. A fuzz run sends a few hundred bad messages (wrong shapes and types,
// missing fields, huge numbers, NaN, another version, a sibling frame, a parent on another
// origin) and checks the embed neither crashed nor acted; then a valid command still works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

/** A bare host page (the article page, emptied) holding one embed iframe of `src`. */
async function host(page, src) {
  await page.evaluate((src) => {
    document.body.replaceChildren();
    window.received = [];
    window.addEventListener('message', (e) => window.received.push({ data: e.data, origin: e.origin }));
    const frame = document.createElement('iframe');
    frame.id = 'embed';
    frame.style.cssText = 'width:800px;height:500px';
    frame.src = src;
    document.body.append(frame);
  }, src);
  return page.frameLocator('#embed');
}

const embedTime = async (frame) => Number(await frame.getByTestId('sim-time').getAttribute('data-us'));
const embedPlaying = async (frame) => (await frame.getByTestId('play-pause').getAttribute('aria-pressed')) === 'true';

test('a ready handshake, then hundreds of malformed messages change nothing, and a valid one works', async () => {
  const page = await openPage(context, 'article-demo.html');
  const origin = new URL(BASE_URL).origin;
  const frame = await host(page, new URL(`?embed&origin=${encodeURIComponent(origin)}#lab=raft&preset=election`, BASE_URL).href);
  await page.waitForFunction(() => window.received.some((m) => m.data?.failscope === 1 && m.data.type === 'ready'), null, { timeout: 20_000 });
  const ready = await page.evaluate(() => window.received.find((m) => m.data?.type === 'ready').data);
  assert.equal(ready.lab, 'raft');
  assert.equal(ready.playing, false);
  assert.ok(ready.height > 0, 'it reports the height it would like');
  const before = { time: await embedTime(frame), playing: await embedPlaying(frame) };

  // A seeded storm of bad messages from the parent itself.
  const sent = await page.evaluate(() => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = (xs) => xs[Math.floor(rand() * xs.length)];
    const junk = [undefined, null, true, 0, -1, NaN, Infinity, -Infinity, 1e308, 2 ** 64, '', 'play', '1', [], {}, [1, 2], 'x'.repeat(100_000), { valueOf: 1 }];
    const versions = [0, 2, '1', 1.5, -1, NaN, null, true, 'v1', {}, [1]];
    const types = ['', 'PLAY', 'Play ', 'seek ', 'load', 'seek', 'frobnicate', 'constructor', '__proto__', 'toString', 42, null, {}, ['play']];
    const frame = document.getElementById('embed').contentWindow;
    const messages = [];
    for (let i = 0; i < 400; i++) {
      let m;
      switch (i % 8) {
        case 0: m = pick(junk); break; // not an object at all, or an empty one
        case 1: m = { failscope: pick(versions), type: pick(['play', 'step', 'seek']), time_us: 1e6 }; break; // another version
        case 2: m = { failscope: 1, type: pick(types), time_us: pick(junk) }; break;
        case 3: m = { failscope: 1, type: 'seek', time_us: pick([NaN, Infinity, -1, -1e-9, 1e20, 2 ** 64, '1000000', null, undefined, [1e6], { n: 1 }, true]) }; break;
        case 4: m = { failscope: 1, type: 'load', link: pick([undefined, '', 7, null, 'x'.repeat(200_000), ['s=1.'], {}]) }; break;
        case 5: m = { failscope: 1 }; break; // no type
        case 6: m = { type: 'play' }; break; // no version
        default: m = { failscope: pick(['seek', 'load', 'nope', '']), time_us: pick([NaN, -5, '3']), link: pick([0, '']) };
      }
      messages.push(m);
      try { frame.postMessage(m, '*'); } catch { /* not cloneable: the browser refuses it */ }
    }
    return messages.length;
  });
  assert.equal(sent, 400);

  // Valid commands from a sibling frame (not the parent) and from another origin.
  await page.evaluate((src) => {
    const sibling = document.createElement('iframe');
    sibling.id = 'sibling';
    sibling.src = src;
    document.body.append(sibling);
  }, new URL('favicon.svg', BASE_URL).href.replace('127.0.0.1', 'localhost'));
  const sibling = await (async () => {
    for (let i = 0; i < 100; i++) {
      const f = page.frames().find((f) => f.url().includes('localhost'));
      if (f) return f;
      await page.waitForTimeout(100);
    }
    throw new Error('the sibling frame did not load');
  })();
  await sibling.waitForLoadState();
  await sibling.evaluate(() => {
    const target = window.parent.frames[0];
    for (const type of ['play', 'step', 'seek']) {
      target.postMessage({ failscope: 1, type, time_us: 2_000_000 }, '*');
      target.postMessage({ failscope: type, time_us: 2_000_000 }, '*');
    }
  });
  await page.waitForTimeout(800);
  assert.deepEqual({ time: await embedTime(frame), playing: await embedPlaying(frame) }, before, 'nothing was obeyed');
  assert.equal(await frame.getByTestId('lab-page').count(), 1, 'the embed is still there');
  // Only version-1 messages came back, and none to say it acted.
  const types = await page.evaluate(() => window.received.filter((m) => m.data?.failscope === 1).map((m) => m.data.type));
  assert.ok(types.every((t) => ['ready', 'state', 'resize'].includes(t)), types.join());

  // A valid command still works, and so does the first, unversioned API.
  await page.evaluate(() => document.getElementById('embed').contentWindow.postMessage({ failscope: 1, type: 'seek', time_us: 1_500_000 }, location.origin));
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'state' && m.data.time_us === 1_500_000));
  assert.equal(await embedTime(frame), 1_500_000);
  await page.evaluate(() => document.getElementById('embed').contentWindow.postMessage({ failscope: 'play' }, '*'));
  await page.waitForFunction(() => window.received.some((m) => m.data?.type === 'state' && m.data.playing === true));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a parent on another origin than the one pinned is neither obeyed nor told anything', async () => {
  const page = await openPage(context, new URL('article-demo.html', BASE_URL).href.replace('127.0.0.1', 'localhost'));
  const pinned = new URL(BASE_URL).origin; // 127.0.0.1: not this page's origin
  const frame = await host(page, new URL(`?embed&origin=${encodeURIComponent(pinned)}#lab=raft&preset=election`, BASE_URL).href);
  await frame.getByTestId('play-pause').waitFor({ timeout: 20_000 });
  await page.evaluate(() => {
    const target = document.getElementById('embed').contentWindow;
    for (const type of ['play', 'seek']) target.postMessage({ failscope: 1, type, time_us: 2_000_000 }, '*');
  });
  await page.waitForTimeout(800);
  assert.equal(await embedPlaying(frame), false);
  assert.equal(await embedTime(frame), 0);
  assert.deepEqual(await page.evaluate(() => window.received.length), 0, 'the embed told another origin nothing');
  // A pinned origin that is not an origin: it obeys no one, and says why.
  const bad = await host(page, new URL('?embed&origin=javascript%3Aalert(1)#lab=raft', BASE_URL).href);
  await bad.getByTestId('embed-problem').waitFor({ timeout: 20_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});
