// 総合振込 by 全銀協 file through the UI as the demo master: 業務選択 → 総合振込 → ファイル受付
// with a wrong file (each error in a table by line, columns and field; the approver kept)
// → a clean file (written by `madoguchi host sample-file`) → 取引内容確認 → 実行 → 結果 →
// 承認待ち一覧 → 取引詳細 (the records, their fees) → 承認 → 結果 受付済み.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useApp, login, shot, shown, submit } from './harness.mjs';

const app = useApp();

/** The page fits `width` px without scrolling sideways, at 1024 and 1280; screenshots. */
async function fits(page, name) {
  for (const width of [1024, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `${name} is ${wide}px wide at ${width}px`);
    await shot(page, `${name}-${width}`);
  }
}


test('総合振込: a wrong file refused line by line, a clean one through 確定 and 承認', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'madoguchi-bulk-'));
  const clean = join(dir, 'sogo.txt');
  app.server.cli(['host', 'sample-file', '--business', 'bulk_transfer', '--records', '8', '--out', clean]);
  const bytes = readFileSync(clean);
  const wrong = Buffer.from(bytes);
  wrong[2 * 122 + 50] = 'a'.charCodeAt(0); // lower case in line 3's 受取人名
  const wrongPath = join(dir, 'wrong.txt');
  writeFileSync(wrongPath, wrong);

  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/menu`);
  await page.getByRole('link', { name: '総合振込', exact: true }).click();
  await shown(page, 'BSFK001');
  await page.getByRole('link', { name: 'ファイル受付' }).click();
  await shown(page, 'BSFK002');
  await page.locator('input#file').setInputFiles(wrongPath);
  await page.getByLabel('承認者').selectOption({ label: '山田　太郎 (master01)' });
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BSFK002');
  const errors = await page.textContent('table.file-errors');
  assert.match(errors, /3/);
  assert.match(errors, /51-80/);
  assert.match(errors, /受取人名/);
  assert.match(await page.textContent('[role=alert]'), /ファイルの内容に誤りがあります/);
  assert.notEqual(await page.getByLabel('承認者').inputValue(), '', 'the approver stays chosen');
  await fits(page, '70-bulk-upload-errors');

  await page.locator('input#file').setInputFiles(clean);
  await page.locator('input[name=fee_side][value=payee]').check();
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BSFK012');
  const confirm = await page.textContent('main');
  assert.match(confirm, /8件/);
  assert.match(confirm, /先方負担手数料合計/);
  assert.match(confirm, /当方負担手数料合計/);
  await fits(page, '71-bulk-confirm');
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BSFK013');
  assert.match(await page.textContent('main'), /「承認待ち」にしました/);

  await page.getByRole('link', { name: '承認待ち一覧へ' }).click();
  await shown(page, 'BSFK011');
  await page.locator('table.list a').first().click();
  await shown(page, 'BSFK022');
  const detail = await page.textContent('main');
  assert.match(detail, /ﾔﾏﾀﾞ ﾀﾛｳ/);
  await fits(page, '72-bulk-detail');
  await page.getByRole('link', { name: '承認', exact: true }).click();
  await shown(page, 'BSFK012');
  assert.match(await page.textContent('main'), /本日の残り/);
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BSFK013');
  assert.match(await page.textContent('main'), /「受付済み」にしました/);
  await shot(page, '73-bulk-accepted');
  await page.close();
  rmSync(dir, { recursive: true, force: true });
});

// 給与振込 on screen as the demo master: 振込先管理 (the demo's 振込先 by グループ) → 登録 of
// one more with a 全角 name → 画面入力 with a 全角 amount refused at its payee (the other
// amounts kept) → a clean one → 取引内容確認. Each page fits 1024 px without scrolling
// sideways.
test('給与振込: 振込先管理 and 画面入力, a bad amount named at its payee', async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/menu`);
  await page.getByRole('link', { name: '給与振込', exact: true }).click();
  await shown(page, 'BKYF001');
  await page.getByRole('link', { name: '振込先管理' }).click();
  await shown(page, 'BKYF031');
  assert.match(await page.textContent('main'), /物流センター/);
  await fits(page, '74-salary-payees');
  await page.getByRole('link', { name: '登録', exact: true }).click();
  await shown(page, 'BKYF032');
  await page.getByLabel('金融機関コード').fill('0005');
  await page.getByLabel('支店コード').fill('001');
  await page.getByLabel('口座番号').fill('7654321');
  await page.getByLabel('受取人名').fill('ワタナベ　ケン');
  await page.getByLabel('社員番号').fill('2001');
  await page.getByLabel('グループ名').fill('本社');
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BKYF033');
  assert.match(await page.textContent('main'), /ﾜﾀﾅﾍﾞ ｹﾝ/);
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BKYF034');

  await page.goto(`${app.server.base}/bulk/salary/entry?group=${encodeURIComponent('本社')}`);
  await shown(page, 'BKYF003');
  await page.getByLabel('支払口座').selectOption({ index: 1 });
  const first = await page.locator('input#date').getAttribute('min');
  await page.locator('input#date').fill(first);
  await page.getByLabel('ﾔﾏﾀﾞ ﾀﾛｳの振込金額').fill('250000');
  await page.getByLabel('ﾜﾀﾅﾍﾞ ｹﾝの振込金額').fill('１８００００');
  await page.getByLabel('承認者').selectOption({ label: '山田　太郎 (master01)' });
  await fits(page, '75-salary-entry');
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BKYF003');
  assert.match(await page.textContent('.field-error'), /振込金額/);
  assert.equal(await page.getByLabel('ﾔﾏﾀﾞ ﾀﾛｳの振込金額').inputValue(), '250000');
  await fits(page, '76-salary-entry-error');
  await page.getByLabel('ﾜﾀﾅﾍﾞ ｹﾝの振込金額').fill('180000');
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BKYF012');
  const confirm = await page.textContent('main');
  assert.match(confirm, /2件/);
  assert.match(confirm, /430,000円/);
  await fits(page, '77-salary-entry-confirm');
  await page.close();
});
