// 電子証明書 through the UI. The server runs in its load-balancer mode: Chromium connects
// from 127.0.0.1, the trusted proxy, and sends the certificate a balancer would forward in
// `x-client-cert` (a headless Chromium cannot be given a client certificate for a real TLS
// handshake without writing to the machine's NSS database and policies; the handshake
// itself is tested in Rust, tests/it/certificates.rs). The PKCS#12 file of
// 「電子証明書発行」 is opened with `openssl pkcs12` and its certificate checked against
// the bank's CA with `openssl verify`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useApp, login, shot, shown, submit } from './harness.mjs';

const app = useApp({
  MADOGUCHI_CLIENT_CERTIFICATE_HEADER: 'x-client-cert',
  MADOGUCHI_TRUSTED_PROXIES: '127.0.0.1',
});
const work = mkdtempSync(join(tmpdir(), 'madoguchi-e2e-certs-'));
const FILE_PASSWORD = 'Import-2026';

function openssl(args, input) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The client certificate (PEM) inside a PKCS#12 file, checked to chain to the bank's CA. */
function certificateOf(p12Path) {
  const pem = openssl(['pkcs12', '-in', p12Path, '-passin', `pass:${FILE_PASSWORD}`, '-nokeys', '-clcerts']);
  const leaf = join(work, 'leaf.pem');
  writeFileSync(leaf, pem);
  const ca = join(work, 'ca.pem');
  writeFileSync(ca, app.server.cli(['ca', 'show']));
  assert.match(openssl(['verify', '-CAfile', ca, leaf]), /OK/);
  assert.match(openssl(['pkcs12', '-in', p12Path, '-passin', `pass:${FILE_PASSWORD}`, '-nocerts', '-nodes']), /PRIVATE KEY/);
  return pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----'));
}

/** The page has no horizontal scroll at 1024 px (then back at 1280), with a screenshot. */
async function fitsAt1024(page, name) {
  await page.setViewportSize({ width: 1024, height: 900 });
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(over <= 0, `${name}: ${over}px wider than the window at 1024 px`);
  await shot(page, `${name}-1024`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A browser context whose requests carry `pem` as the balancer's header. */
async function presenting(pem) {
  return app.browser.newContext({ extraHTTPHeaders: { 'x-client-cert': encodeURIComponent(pem) } });
}

/** 電子証明書発行 on its screen: the downloaded file's certificate (PEM). */
async function issue(page, loginId) {
  await page.goto(`${app.server.base}/login`);
  await page.getByRole('link', { name: '電子証明書発行' }).click();
  await shown(page, 'BLGI005');
  await page.getByLabel('ログインID').fill(loginId);
  await page.getByLabel('ログインパスワード').fill('Demo1234');
  await page.getByLabel('証明書ファイルのパスワード').fill(FILE_PASSWORD);
  await page.getByLabel('確認のため再入力').fill(FILE_PASSWORD);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: '発行' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${loginId}.p12`);
  const path = join(work, `${loginId}.p12`);
  await download.saveAs(path);
  return certificateOf(path);
}

test('証明書失効: the master revokes a user\'s certificate on BRSK018–020', async () => {
  app.server.cli(['company', 'options', '--company', '1', '--certificate', 'on']);
  const anonymous = await app.browser.newPage();
  // A field rule first: what was typed stays, nothing is issued.
  await anonymous.goto(`${app.server.base}/certificate`);
  await anonymous.getByLabel('ログインID').fill('ippan01');
  await anonymous.getByLabel('ログインパスワード').fill('Demo1234');
  await anonymous.getByLabel('証明書ファイルのパスワード').fill('short');
  await anonymous.getByLabel('確認のため再入力').fill('short');
  await submit(anonymous, anonymous.getByRole('button', { name: '発行' }));
  assert.match(await anonymous.textContent('#file_password-error'), /8文字以上32文字以内/);
  assert.equal(await anonymous.getByLabel('ログインID').inputValue(), 'ippan01');
  await shot(anonymous, '70-certificate-issue-refused');
  await fitsAt1024(anonymous, '70-certificate-issue-refused');
  const masterPem = await issue(anonymous, 'master01');
  const ippanPem = await issue(anonymous, 'ippan01');

  // Without the certificate, the master's right password is not enough.
  await login(anonymous, app.server.base, 'master01', 'Demo1234');
  assert.match(await anonymous.textContent('.error-summary'), /電子証明書が提示されていません/);

  const master = await (await presenting(masterPem)).newPage();
  await login(master, app.server.base, 'master01', 'Demo1234');
  await master.waitForURL('**/top');
  await master.getByRole('link', { name: '管理' }).last().click();
  await master.getByRole('link', { name: '利用者管理' }).click();
  await master.getByRole('link', { name: '証明書失効' }).click();
  await shown(master, 'BRSK018');
  const row = master.locator('tr', { hasText: 'ippan01' });
  assert.match(await row.textContent(), /発行済み/);
  assert.match(await row.textContent(), /08時59分59秒/);
  await shot(master, '71-certificate-list');
  await fitsAt1024(master, '71-certificate-list');
  await master.getByLabel('ippan01を選択').check();
  await master.getByRole('button', { name: '失効' }).click();
  await shown(master, 'BRSK019');
  assert.match(await master.textContent('main'), /以下の利用者の証明書を失効します/);
  assert.match(await master.textContent('.steps [aria-current=step]'), /証明書失効/);
  const state = master.locator('tr', { hasText: '証明書状態' });
  assert.match(await state.textContent(), /発行済み/);
  assert.match(await state.textContent(), /失効済み/);
  const color = await state.locator('.changed').first().evaluate((el) => getComputedStyle(el).color);
  assert.equal(color, 'rgb(200, 16, 46)', 'the change of 証明書状態 is red');
  await shot(master, '72-certificate-confirm');
  await fitsAt1024(master, '72-certificate-confirm');
  await master.getByLabel('確認用パスワード').fill('Wrong9999');
  await submit(master, master.getByRole('button', { name: '実行' }));
  assert.match(await master.textContent('.error-summary'), /確認用パスワードが正しくありません/);
  await master.getByLabel('確認用パスワード').fill('Kakunin12');
  await master.getByRole('button', { name: '実行' }).click();
  await master.waitForURL('**/users/certificates/result**');
  await shown(master, 'BRSK020');
  assert.match(await master.textContent('main'), /失効済み/);
  assert.match(await master.textContent('main'), /「閉じる」ボタンを押して、ブラウザを閉じてください。/);
  assert.equal(await master.getByRole('button', { name: '閉じる' }).count(), 1);
  await shot(master, '73-certificate-result');
  await fitsAt1024(master, '73-certificate-result');

  // The revoked certificate no longer logs in, with a clear message.
  const ippan = await (await presenting(ippanPem)).newPage();
  await login(ippan, app.server.base, 'ippan01', 'Demo1234');
  assert.match(await ippan.textContent('.error-summary'), /失効または有効期限切れ/);
  await shot(ippan, '74-certificate-revoked-login');
  // And the 操作履歴 shows the 失効.
  await master.goto(`${app.server.base}/history`);
  assert.match(await master.textContent('table.list.history'), /証明書失効/);
  assert.ok(readFileSync(join(work, 'ippan01.p12')).length > 0);
});
