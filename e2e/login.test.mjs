// The foundation's path through the UI: log in as the demo master, reach 業務選択, log out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, login, shot } from './harness.mjs';

const app = useApp();

test('master01 logs in, reaches 業務選択 and logs out', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.server.base}/login`);
  assert.match(await page.textContent('body'), /デモ環境/);
  assert.match(await page.textContent('.screen-id'), /BLGI001/);
  await shot(page, '01-login');

  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  assert.match(await page.textContent('.screen-id'), /BTOP001/);
  assert.match(await page.textContent('body'), /山田　太郎/);
  await shot(page, '02-top');

  await page.getByRole('link', { name: '管理' }).last().click();
  await page.waitForURL('**/menu');
  assert.match(await page.textContent('.screen-id'), /BSSK001/);
  assert.match(await page.textContent('h1'), /業務選択/);
  await shot(page, '03-menu');

  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL('**/login?reason=logout');
  assert.match(await page.textContent('body'), /ログアウトしました/);
  await shot(page, '04-logged-out');

  await page.goto(`${app.server.base}/top`);
  await page.waitForURL('**/login?reason=login');
});

test('a wrong password is refused with the manual-style message, keeping the ID', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'master01', 'Wrong9999');
  assert.match(await page.textContent('.error-summary'), /ログインIDまたはログインパスワードが正しくありません/);
  assert.equal(await page.getByLabel('ログインID').inputValue(), 'master01');
  assert.equal(await page.getByLabel('ログインパスワード').inputValue(), '');
  await shot(page, '05-login-refused');
});

test('a forged cross-site post is refused', async () => {
  const page = await app.browser.newPage();
  await login(page, app.server.base, 'ippan01', 'Demo1234');
  await page.waitForURL('**/top');
  const status = await page.evaluate(async () => {
    const r = await fetch('/logout', { method: 'POST', body: new URLSearchParams({ csrf: 'forged' }) });
    return r.status;
  });
  assert.equal(status, 403);
  await page.goto(`${app.server.base}/top`);
  assert.match(page.url(), /\/top$/);
});
