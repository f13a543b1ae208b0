// 振込振替 through the UI as the demo master: 資金移動 → 振込振替の依頼 → a 事前登録口座 →
// a refused amount (kept, named beside the field) → 次へ → 確認 → 実行 → 結果 → 取引状況照会
// (受付済み, then 入金済み once the host simulator has answered); and the 承認 of a シングル承認
// company's order on 承認待ち一覧 → 取引詳細 → 承認 → 確認 (状態 in red) → 結果.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, login, shot, shown, submit } from './harness.mjs';

const app = useApp();

/** The page has no horizontal scroll at 1024 px (then back at 1280), with a screenshot. */
async function fitsAt1024(page, name) {
  await page.setViewportSize({ width: 1024, height: 900 });
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 0, `${name}: ${over}px wider than the window at 1024 px`);
  await shot(page, `${name}-1024`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function request(page, amount) {
  await page.goto(`${app.server.base}/top`);
  await page.getByRole('navigation').getByRole('link', { name: '資金移動' }).click();
  await shown(page, 'BFKF001');
  await page.getByRole('link', { name: '振込振替の依頼' }).click();
  await shown(page, 'BFKF002');
  await page.getByLabel('ｶ)ﾄｳｷﾖｳﾃｷｽﾀｲﾙを選択').check();
  await page.getByLabel('支払金額').fill(amount);
}

test('振込振替: 依頼, 確認, 結果 and 取引状況照会 under 承認なし', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await request(page, '５００００');
  await shot(page, '60-transfer-input');
  await fitsAt1024(page, '60-transfer-input');
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BFKF002');
  assert.match(await page.textContent('#amount-error'), /半角数字/);
  assert.equal(await page.getByLabel('支払金額').inputValue(), '５００００', 'what was typed stays');
  await page.getByLabel('支払金額').fill('50000');
  await page.locator('input[name=fee_side][value=payee]').check();
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BFKF003');
  const confirm = await page.textContent('main');
  assert.match(confirm, /ｶ\)ﾄｳｷﾖｳﾃｷｽﾀｲﾙ/);
  assert.match(confirm, /先方負担手数料/);
  await shot(page, '61-transfer-confirm');
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BFKF004');
  assert.match(await page.textContent('main'), /受け付けました/);
  await shot(page, '62-transfer-result');
  await page.getByRole('link', { name: '取引状況照会へ' }).click();
  await shown(page, 'BFKF021');
  assert.match(await page.textContent('main'), /受付済み/);
  // The host simulator answers within a few seconds.
  for (let i = 0; i < 50 && !/入金済み/.test(await page.textContent('main')); i++) {
    await new Promise((r) => setTimeout(r, 200));
    await page.reload();
  }
  assert.match(await page.textContent('main'), /入金済み/);
  await shot(page, '63-transfer-status');
  await fitsAt1024(page, '63-transfer-status');
});

test('承認: シングル承認 on 承認待ち一覧, 取引詳細 and its 確認', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  // 企業情報の変更: 振込振替 → シングル承認.
  await page.goto(`${app.server.base}/company/info`);
  await page.locator('input[name=approval_transfer][value=single]').check();
  await page.getByRole('button', { name: '変更' }).click();
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await request(page, '30000');
  await page.getByLabel('承認者').selectOption({ label: '山田　太郎 (master01)' });
  await submit(page, page.getByRole('button', { name: '次へ' }));
  await shown(page, 'BFKF003');
  assert.match(await page.textContent('main'), /本日の残り/);
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BFKF004');
  assert.match(await page.textContent('main'), /承認者の承認後/);
  await page.goto(`${app.server.base}/transfers/approvals`);
  await shown(page, 'BFKF011');
  await shot(page, '64-transfer-approvals');
  await page.locator('table.list a').first().click();
  await shown(page, 'BFKF022');
  await page.getByRole('link', { name: '承認', exact: true }).click();
  await shown(page, 'BFKF012');
  assert.match((await page.locator('td .changed').allTextContents()).join(' '), /受付済み/);
  await shot(page, '65-transfer-approve-confirm');
  await fitsAt1024(page, '65-transfer-approve-confirm');
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BFKF013');
  assert.match(await page.textContent('main'), /「受付済み」/);
  await shot(page, '66-transfer-approved');
});
