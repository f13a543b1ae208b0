// 手数料情報 through the UI as the demo master: 「手数料を読み込む」, one change with 確認
// and 結果, 照会, and the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, login, shot } from './harness.mjs';

const app = useApp();

test('先方負担手数料[総合振込]: 手数料を読み込む, change, 確認, 結果, 照会', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/company`);
  await page.getByRole('link', { name: '先方負担手数料[総合振込]の変更' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK021/);
  await shot(page, '20-fee-input');

  // Start from the bank's table, then make it our own.
  await page.getByRole('button', { name: '手数料を読み込む' }).click();
  assert.equal(await page.getByLabel('範囲2 他行宛').inputValue(), '550');
  assert.equal(await page.getByLabel('範囲2 支払金額範囲（円以上）').inputValue(), '30000');
  assert.ok(await page.locator('input[name=use_standard][value="0"]').isChecked());
  await shot(page, '21-fee-loaded');

  // One rejected input: a boundary not above the previous one.
  await page.getByLabel('範囲3 支払金額範囲（円以上）').fill('20000');
  await page.getByLabel('範囲3 同一店宛').fill('0');
  await page.getByLabel('範囲3 本支店宛').fill('330');
  await page.getByLabel('範囲3 他行宛').fill('660');
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await page.textContent('#lower_2-error'), /上の行ほど大きな金額/);
  await page.getByLabel('範囲3 支払金額範囲（円以上）').fill('100000');
  await page.locator('input[name=method][value=add_upper_fee]').check();
  await page.getByLabel('範囲2 他行宛').fill('440');
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK022/);
  assert.ok((await page.locator('.changed-mark').count()) >= 3);
  await shot(page, '22-fee-confirm');

  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await page.getByRole('button', { name: '実行' }).click();
  await page.waitForURL('**/company/fees/payee-bulk/result**');
  assert.match(await page.textContent('.screen-id'), /BKGK023/);
  await shot(page, '23-fee-result');

  await page.goto(`${app.server.base}/company/fees/payee-bulk/view`);
  assert.match(await page.textContent('.screen-id'), /BKGK032/);
  assert.match(await page.textContent('main'), /個別に登録した手数料を使用しています/);
  assert.match(await page.textContent('main'), /以上手数料加算型/);
  await shot(page, '24-fee-view');
});

test('the simulator shows each method side by side', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/company/fees/simulate`);
  await page.getByLabel('支払金額').fill('30000');
  await page.getByLabel('振込パターン').selectOption('other_bank');
  await page.getByLabel('振込指定日').fill('2026-12-01');
  await page.getByRole('button', { name: '計算' }).click();
  const text = await page.textContent('table.simulation');
  assert.match(text, /据置型/);
  assert.match(text, /以上手数料加算型/);
  assert.match(text, /未満手数料加算型/);
  assert.match(text, /差益 220円/, '据置型 at 30,000: deduct 550, real fee 330');
  await shot(page, '25-fee-simulator');
});
