// 利用者情報の新規登録 through every step as the demo master (one rejected input, 「戻る」
// keeps what was typed), 印刷, then the new user logs in and passes the forced change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useApp, login, shot, shots } from './harness.mjs';

const app = useApp();

test('register a user through all steps, print, and log in as them', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  await page.goto(`${app.server.base}/menu`);
  await page.getByRole('link', { name: '利用者管理' }).click();
  assert.match(await page.textContent('.screen-id'), /BRSK001/);
  await page.getByRole('link', { name: '利用者情報の管理' }).click();
  assert.match(await page.textContent('.screen-id'), /BRSK005/);
  await shot(page, '30-users-list');
  await page.getByRole('link', { name: '新規登録' }).click();
  assert.match(await page.textContent('.screen-id'), /BRSK006/);

  await page.getByLabel('ログインID', { exact: true }).fill('tanaka01');
  await page.locator('#login_id_again').fill('tanaka01');
  await page.locator('#login_password').fill('Shoki123');
  await page.locator('#login_password_again').fill('Shoki123');
  await page.getByLabel('ログイン時に強制変更する').check();
  await page.locator('#confirmation_password').fill('Kakunin99');
  await page.locator('#confirmation_password_again').fill('Kakunin99');
  await page.getByLabel('利用者名').fill('Tanaka');  // half-width: refused
  await page.locator('#email').fill('tanaka@apparel.example.jp');
  await page.locator('#email_again').fill('tanaka@apparel.example.jp');
  await page.getByRole('button', { name: '次へ' }).click();
  assert.match(await page.textContent('#name-error'), /全角30文字以内/);
  assert.equal(await page.locator('#login_id').inputValue(), 'tanaka01', 'what was typed stays');
  await shot(page, '31-users-rejected');
  await page.getByLabel('利用者名').fill('田中　一郎');
  await page.getByRole('button', { name: '次へ' }).click();

  assert.match(await page.textContent('.screen-id'), /BRSK007/);
  await page.getByLabel('全選択').check();
  assert.ok(await page.locator('input.permission').last().isChecked());
  await page.getByLabel('全選択').uncheck();
  await page.locator('input[value="inquiry.balance"]').check();
  await page.locator('input[value="bulk.file"]').check();
  await shot(page, '32-users-permissions');
  await page.getByRole('button', { name: '次へ' }).click();

  assert.match(await page.textContent('.screen-id'), /BRSK008/);
  await page.locator('input[name=account]').first().check();
  for (const [id, v] of [['limit_transfer', '1000000'], ['limit_bulk_transfer', '5000000'], ['limit_salary', '0'], ['limit_bonus', '0'], ['limit_direct_debit', '0']]) {
    await page.locator(`#${id}`).fill(v);
  }
  // 「戻る」 keeps everything typed, on every step.
  await page.getByRole('button', { name: '戻る' }).click();
  assert.ok(await page.locator('input[value="bulk.file"]').isChecked());
  await page.getByRole('button', { name: '次へ' }).click();
  assert.equal(await page.locator('#limit_bulk_transfer').inputValue(), '5000000');
  await page.getByRole('button', { name: '登録' }).click();

  assert.match(await page.textContent('.screen-id'), /BRSK009/);
  assert.match(await page.textContent('main'), /田中　一郎/);
  assert.doesNotMatch(await page.textContent('main'), /Shoki123|Kakunin99/, 'no password on 確認');
  await shot(page, '33-users-confirm');
  await page.getByLabel('確認用パスワード').fill('Kakunin12');
  await page.getByRole('button', { name: '実行' }).click();
  await page.waitForURL('**/users/result**');
  assert.match(await page.textContent('.screen-id'), /BRSK010/);
  await shot(page, '34-users-result');

  const href = await page.getByRole('link', { name: '印刷' }).getAttribute('href');
  const response = await page.request.get(`${app.server.base}${href}`);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  const pdfPath = join(shots, 'users-result.pdf');
  writeFileSync(pdfPath, await response.body());
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']).toString();
  assert.match(text, /利用者登録結果/);
  assert.match(text, /tanaka01/);
  assert.match(text, /田中/);
  assert.match(text, /アパレル株式会社/);
  assert.doesNotMatch(text, /Shoki123|Kakunin99/, 'no password in the PDF');
  const fonts = execFileSync('pdffonts', [pdfPath]).toString();
  assert.match(fonts, /IPAexGothic/);

  // The new user logs in and must change the password first.
  const other = await app.browser.newPage();
  await login(other, app.server.base, 'tanaka01', 'Shoki123');
  await other.waitForURL('**/password/change');
  await other.locator('#new_login_password').fill('Tanaka456');
  await other.locator('#new_login_password_again').fill('Tanaka456');
  // The administrator knew both passwords: both are replaced.
  await other.locator('#new_confirmation_password').fill('Kakunin456');
  await other.locator('#new_confirmation_password_again').fill('Kakunin456');
  await other.getByRole('button', { name: '変更' }).click();
  await other.waitForURL('**/top');
  assert.match(await other.textContent('body'), /田中　一郎/);
  await shot(other, '35-new-user-top');
});
