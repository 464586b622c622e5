// Share → Embed: a live preview of the embed and copyable snippets for an iframe, the
// <failscope-lab> tag and a Markdown page; it says which time range they show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage, pause, screenshot } from './browser.mjs';

let context;
before(async () => {
  context = await launch();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE_URL).origin });
});
after(async () => { await context?.close(); });

test('the Embed dialog previews the run and copies each snippet', async () => {
  const page = await openPage(context, '#lab=raft&preset=election');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(1_000);
  await pause(page);
  await page.getByTestId('share-button').click();
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByTestId('embed-dialog');
  await dialog.waitFor({ timeout: 10_000 });
  // The timeline has no selection: the whole run, and the dialog says so.
  assert.match(await page.getByTestId('embed-range').textContent(), /the whole run .*no selection/);
  // The preview is the embed itself, showing this run.
  const preview = page.frameLocator('[data-testid=embed-preview]');
  await preview.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  assert.equal(await preview.getByTestId('tab-inspector').count(), 0, 'the preview is the compact embed');
  const src = await page.getByTestId('embed-preview').getAttribute('src');
  assert.match(src, /\?embed#s=1\./);

  const snippets = {
    'embed-code': /^<iframe src="[^"]+\?embed#s=1\.[^"]+" title="Failscope: [^"]+"/,
    'embed-tag-code': /<script type="module" src="[^"]+\/embed\.js"><\/script>\n<failscope-lab link="[^"]+#s=1\.[^"]+"/,
    'embed-markdown-code': /<iframe [^\n]+\n\n\[Open this run in Failscope\]\(http[^)]+#s=1\.[^)]+\)/,
  };
  for (const [id, pattern] of Object.entries(snippets)) {
    const text = await page.getByTestId(id).inputValue();
    assert.match(text, pattern, id);
    await page.getByTestId(`copy-${id}`).click();
    await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid=embed-copied]')?.textContent ?? ''));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text, `${id} is on the clipboard`);
    await page.evaluate(() => navigator.clipboard.writeText(''));
  }
  // The iframe snippet, pasted into a page, shows the same run.
  await screenshot(page, 'embed-dialog-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await screenshot(page, 'embed-dialog-390');
  assert.deepEqual(page.errors, []);
  await page.close();
});
