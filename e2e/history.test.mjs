// 操作履歴照会 as the demo master, as the manual walks it: 業務選択 → 「操作履歴照会」
// (BSRS001) with the last verification shown, 「操作履歴情報の検索」 by 結果, an entry's
// 詳細 (BSRS002), 「印刷」 read back from the PDF, and the CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useApp, login, shot, shots } from './harness.mjs';

const app = useApp();

test('search the 操作履歴 by 結果, open an entry, print and download it', async () => {
  // A refused login of ippan01 to find.
  const other = await app.browser.newPage();
  await login(other, app.server.base, 'ippan01', 'Wrong9999');
  await other.locator('[role=alert]').waitFor();

  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/menu`);
  await page.getByRole('link', { name: '操作履歴照会' }).first().click();
  assert.match(await page.textContent('.screen-id'), /BSRS001/);
  assert.match(await page.textContent('main'), /企業内のすべての利用者の操作履歴/);
  await page.locator('.integrity').waitFor();
  assert.match(await page.textContent('.integrity'), /改ざん検証：(未実施|.*異常なし)/);
  await shot(page, '80-history-list-1280');

  await page.getByLabel('結果').selectOption({ label: 'エラー' });
  await page.getByRole('button', { name: '検索' }).click();
  await page.waitForURL('**/history?**outcome=error**');
  const outcomes = await page.locator('table.history tr td:nth-child(6)').allTextContents();
  assert.ok(outcomes.length >= 1, 'the refused login is found');
  assert.ok(outcomes.every((o) => o.trim().startsWith('エラー')), outcomes.join());
  assert.match(await page.textContent('table.history'), /ippan01/);
  assert.equal(await page.getByLabel('結果').inputValue(), 'error', 'the condition is kept');
  // 結果 and 業務種別 stay on one line at 1280 px.
  const cell = page.locator('table.history tr td:nth-child(6)').first();
  const box = await cell.boundingBox();
  const line = await cell.evaluate((td) => parseFloat(getComputedStyle(td).lineHeight) || 20);
  assert.ok(box.height < line * 2 + 16, `one line: ${box.height}px`);
  await shot(page, '81-history-search-1280');
  const pdfHref = await page.getByRole('link', { name: '印刷' }).getAttribute('href');
  const csvHref = await page.getByRole('link', { name: 'CSV（UTF-8）' }).getAttribute('href');
  await page.getByRole('link', { name: /の操作の詳細$/ }).first().click();
  assert.match(await page.textContent('.screen-id'), /BSRS002/);
  assert.match(await page.textContent('main'), /ippan01/);
  await shot(page, '82-history-entry-1280');

  const pdf = await page.request.get(`${app.server.base}${pdfHref}`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const pdfPath = join(shots, 'history.pdf');
  writeFileSync(pdfPath, await pdf.body());
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']).toString();
  assert.match(text, /操作履歴/);
  assert.match(text, /アパレル株式会社/);
  assert.match(text, /ippan01/);
  assert.match(text, /エラー/);
  assert.match(execFileSync('pdffonts', [pdfPath]).toString(), /IPAexGothic/);

  const csv = await page.request.get(`${app.server.base}${csvHref}`);
  const body = await csv.body();
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const lines = body.toString('utf8').slice(1).trim().split(/\r?\n/);
  assert.match(lines[0], /操作日時/);
  assert.ok(lines.slice(1).every((l) => l.includes('エラー')), 'only the searched rows');
  // The whole list, errors too, inside the page at 1024 and 1280 px; at 1280 no cell on
  // more than one line (at 1024 the time may go under the date).
  for (const width of [1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${app.server.base}/history`);
    const fit = await page.evaluate(() => {
      const table = document.querySelector('table.history');
      const main = document.querySelector('main');
      const pad = parseFloat(getComputedStyle(main).paddingRight);
      const line = parseFloat(getComputedStyle(table).fontSize) * 2;
      const tall = [...table.querySelectorAll('td')]
        .filter((td) => td.getBoundingClientRect().height > line * 1.5 + 16)
        .map((td) => td.textContent.trim());
      return {
        over: table.getBoundingClientRect().right - (main.getBoundingClientRect().right - pad),
        tall,
      };
    });
    assert.ok(fit.over <= 0.5, `${width}px: the list sticks out of the page by ${fit.over}px`);
    if (width === 1280) assert.deepEqual(fit.tall, [], `${width}px: cells on more than one line`);
    await shot(page, `83-history-list-${width}`);
  }
});
