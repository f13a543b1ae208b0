// 企業情報の変更 through the UI as the demo master: one rejected input, the red change on
// 確認, a wrong 確認用パスワード, then 実行 and 結果.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, login, shot } from './harness.mjs';

const app = useApp();

test('the demo master changes 企業情報 with 確認 and 結果', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.getByRole('link', { name: '管理' }).last().click();
  await page.getByRole('link', { name: '企業管理' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK001/);
  await shot(page, '10-company-menu');
  await page.getByRole('link', { name: '企業情報の変更' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK002/);
  assert.match(await page.textContent('.steps [aria-current=step]'), /企業情報・限度額を変更/);

  // One rejected input: full-width digits. The message is at the field; the input stays.
  const bulk = page.getByLabel('総合振込', { exact: true });
  await bulk.fill('２５００００');
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await page.textContent('#company_bulk_transfer-error'), /半角数字12桁以内/);
  assert.equal(await page.getByLabel('総合振込', { exact: true }).inputValue(), '２５００００');
  await shot(page, '11-company-rejected');

  await page.getByLabel('総合振込', { exact: true }).fill('250000000');
  await page.locator('input[name=approval_transfer][value=single]').check();
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK003/);
  assert.match(await page.textContent('.steps [aria-current=step]'), /変更内容を確認/);
  const changed = await page.locator('.changed-mark').count();
  assert.equal(changed, 2, 'exactly the two changed items are marked');
  const color = await page.locator('td .changed').first().evaluate((el) => getComputedStyle(el).color);
  assert.equal(color, 'rgb(200, 16, 46)', 'changed values are red');
  assert.match(await page.textContent('main'), /250,000,000円/);
  await shot(page, '12-company-confirm');

  await page.getByLabel('確認用パスワード').fill('Wrong9999');
  await page.getByRole('button', { name: '実行' }).click();
  assert.match(await page.textContent('.error-summary'), /確認用パスワードが正しくありません/);
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await page.getByRole('button', { name: '実行' }).click();
  await page.waitForURL('**/company/info/result**');
  assert.match(await page.textContent('.screen-id'), /BKGK004/);
  assert.match(await page.textContent('main'), /以下の内容で企業情報を変更しました/);
  assert.equal(await page.locator('.changed-mark').count(), 2);
  await shot(page, '13-company-result');

  // Back on the input screen, the saved values are there.
  await page.goto(`${app.server.base}/company/info`);
  assert.equal(await page.getByLabel('総合振込', { exact: true }).inputValue(), '250000000');
});

test('a general user does not see 企業管理 and is refused at its URL', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'ippan01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/menu`);
  assert.equal(await page.getByRole('link', { name: '企業管理' }).count(), 0);
  const response = await page.goto(`${app.server.base}/company/info`);
  assert.equal(response.status(), 403);
  assert.match(await page.textContent('body'), /この操作を行う権限がありません/);
  await shot(page, '14-company-refused');
});
