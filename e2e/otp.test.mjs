// ワンタイムパスワード through the UI: the operator turns it on for アパレル株式会社; the
// demo master registers a token (the test reads the secret off the screen and computes the
// codes, RFC 6238), logs in with it, gets locked by wrong codes, and is released by a second
// administrator on 「ワンタイムパスワードの利用停止解除」.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { useApp, login, shot, submit } from './harness.mjs';

const app = useApp();

/** RFC 4648 base32 (spaces ignored) to bytes. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s+/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The six-digit code of `secret` at 30-second step `step` (RFC 6238, HMAC-SHA-1). */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

/** A code for a step after `last` (each code is accepted once): waits for the next step. */
async function codeAfter(secret, last) {
  while (stepNow() <= last) await new Promise((r) => setTimeout(r, 250));
  const step = stepNow();
  return { code: totp(secret, step), step };
}

/** Registers a token on the registration screen (after the password); its secret and step. */
async function registerToken(page, name) {
  await page.waitForURL('**/login/otp/register');
  assert.match(await page.textContent('.screen-id'), /BLGI004/);
  assert.ok(await page.locator('.qr svg').count(), 'a QR code drawn by the server');
  await shot(page, name);
  const secret = base32(await page.textContent('#otp-secret'));
  const { code, step } = await codeAfter(secret, 0);
  await page.getByLabel('ワンタイムパスワード').fill(code);
  await page.getByRole('button', { name: '登録', exact: true }).click();
  return { secret, step };
}

test('register a token, log in with it, get locked, be released by another administrator', { timeout: 240_000 }, async () => {
  const company = app.server.cli(['company', 'list'])
    .split('\n').find((l) => l.includes('アパレル株式会社')).split('\t')[0];
  app.server.cli(['company', 'options', '--company', company, '--otp', 'on']);

  // The master registers a token at the first login after the switch.
  const master = await (await app.browser.newContext()).newPage();
  await login(master, app.server.base, 'master01', 'Demo1234');
  let masterToken = await registerToken(master, 'otp-01-register');
  await master.waitForURL('**/top');

  // A second administrator, registered by the master through the API (with the code).
  const { code: createCode, step: createStep } = await codeAfter(masterToken.secret, masterToken.step);
  masterToken.step = createStep;
  const created = await master.evaluate(async (code) => {
    const me = await (await fetch('/api/v1/me')).json();
    const r = await fetch('/api/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
      body: JSON.stringify({
        login_id: 'kanri001', login_id_again: 'kanri001',
        login_password: 'Shoki123', login_password_again: 'Shoki123', force_change: false,
        confirmation_password: 'Kakunin99', confirmation_password_again: 'Kakunin99',
        name: '田中　一郎', email: 'tanaka@example.jp', email_again: 'tanaka@example.jp',
        admin: true, permissions: ['inquiry.balance'], accounts: [],
        tx_limits: { transfer: '1000', bulk_transfer: 0, salary: 0, bonus: 0, direct_debit: 0 },
        admin_confirmation_password: 'Kakunin12', one_time_password: code,
        idempotency_key: 'e2e-otp-second-admin',
      }),
    });
    return { status: r.status, body: await r.text() };
  }, createCode);
  assert.equal(created.status, 200, created.body);

  const admin = await (await app.browser.newContext()).newPage();
  await login(admin, app.server.base, 'kanri001', 'Shoki123');
  const adminToken = await registerToken(admin, 'otp-02-register-admin');
  await admin.waitForURL('**/top');

  // The master logs in again and types wrong codes until the one-time password locks.
  const again = await (await app.browser.newContext()).newPage();
  await login(again, app.server.base, 'master01', 'Demo1234');
  await again.waitForURL('**/login/otp');
  assert.match(await again.textContent('.screen-id'), /BLGI003/);
  await shot(again, 'otp-03-verify');
  const right = totp(masterToken.secret, stepNow());
  const wrong = right === '000000' ? '111111' : '000000';
  for (let i = 0; i < 4; i++) {
    await again.getByLabel('ワンタイムパスワード').fill(wrong);
    await submit(again, again.getByRole('button', { name: '認証' }));
    assert.match(await again.textContent('.error-summary'), /ワンタイムパスワードが正しくありません/);
  }
  await again.getByLabel('ワンタイムパスワード').fill(wrong);
  await submit(again, again.getByRole('button', { name: '認証' }));
  assert.match(await again.textContent('.error-summary'), /利用停止/);
  await shot(again, 'otp-04-locked');
  // The right password no longer gets a session.
  await login(again, app.server.base, 'master01', 'Demo1234');
  assert.match(await again.textContent('.error-summary'), /ワンタイムパスワードが規定回数以上/);

  // The other administrator releases the lock.
  await admin.goto(`${app.server.base}/users`);
  await admin.getByRole('link', { name: 'ワンタイムパスワードの利用停止解除' }).click();
  await admin.waitForURL('**/users/otp/locks');
  assert.match(await admin.textContent('.screen-id'), /BRSK021/);
  await shot(admin, 'otp-05-locked-list');
  await admin.getByRole('link', { name: 'master01を選択' }).click();
  assert.match(await admin.textContent('.screen-id'), /BRSK022/);
  assert.match(await admin.locator('table .changed').first().textContent(), /利用可能/);
  const { code: releaseCode } = await codeAfter(adminToken.secret, adminToken.step);
  await admin.getByLabel('確認用パスワード').fill('Kakunin99');
  await admin.getByLabel('ワンタイムパスワード').fill(releaseCode);
  await shot(admin, 'otp-06-release-confirm');
  await admin.getByRole('button', { name: '実行' }).click();
  await admin.waitForURL('**/users/otp/result?key=*');
  assert.match(await admin.textContent('.screen-id'), /BRSK023/);
  await shot(admin, 'otp-07-released');

  // The master logs in with the next code.
  const back = await (await app.browser.newContext()).newPage();
  await login(back, app.server.base, 'master01', 'Demo1234');
  await back.waitForURL('**/login/otp');
  const { code } = await codeAfter(masterToken.secret, masterToken.step);
  await back.getByLabel('ワンタイムパスワード').fill(code);
  await back.getByRole('button', { name: '認証' }).click();
  await back.waitForURL('**/top');
  assert.match(await back.textContent('body'), /山田　太郎/);
});
