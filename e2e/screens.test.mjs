// The screens say exactly what the manual says. For every 確認 of the product — 企業情報,
// each fee table, 利用者 登録/変更/削除, 停止・解除 and the password reissue — one item is
// changed and exactly one item is red on 確認 and on 結果, with the manual's words for the
// operation (登録します / 削除内容 / 変更完了 …). Every screen is kept at 1024 and 1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useApp, login, shot, submit, shown } from './harness.mjs';

const app = useApp();
const WIDTHS = [1024, 1280];

/** Screenshots of the page at both widths, as target/e2e/NAME-WIDTH.png. */
async function both(page, name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await shot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const red = (page) => page.locator('.changed-mark').count();
const main = (page) => page.textContent('main');

async function master(browser) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, app.server.base, 'master01', 'Demo1234');
  await page.waitForURL('**/top');
  return page;
}

async function execute(page, resultUrl) {
  await page.getByLabel('確認用パスワード', { exact: true }).fill('Kakunin12');
  await page.getByRole('button', { name: '実行' }).click();
  await page.waitForURL(resultUrl);
}

test('企業情報: one limit changed, one red item on 確認 and 結果, the manual\'s 手順', async () => {
  const page = await master(app.browser);
  await page.goto(`${app.server.base}/company`);
  await both(page, '40-company-menu');
  await page.getByRole('link', { name: '企業情報の変更' }).click();
  assert.match(await page.textContent('.steps [aria-current=step]'), /企業情報・限度額を変更/);
  await both(page, '41-company-input');
  await page.getByLabel('総合振込', { exact: true }).fill('123456789');
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await page.textContent('.screen-id'), /BKGK003/);
  assert.equal(await red(page), 1);
  assert.match(await main(page), /変更した内容は赤字で表示されています/);
  await both(page, '42-company-confirm');
  await execute(page, '**/company/info/result**');
  assert.equal(await red(page), 1);
  assert.match(await page.textContent('.steps [aria-current=step]'), /変更完了/);
  await both(page, '43-company-result');
});

test('企業名: editable by the administrator, red on 確認, the header at once', async () => {
  const page = await master(app.browser);
  await page.goto(`${app.server.base}/company/info`);
  await page.getByLabel('企業名(カナ)').fill('ｱﾊﾟﾚﾙ(ｶ)ﾎﾝｼﾔ');
  await page.getByRole('button', { name: '変更' }).click();
  assert.equal(await red(page), 1);
  await execute(page, '**/company/info/result**');
  assert.equal(await red(page), 1);
  assert.match(await main(page), /ｱﾊﾟﾚﾙ\(ｶ\)ﾎﾝｼﾔ/);
});

for (const [key, label, ids] of [
  ['payee-transfer', '先方負担手数料[振込振替]', ['BKGK011', 'BKGK012', 'BKGK013', 'BKGK031']],
  ['payee-bulk', '先方負担手数料[総合振込]', ['BKGK021', 'BKGK022', 'BKGK023', 'BKGK032']],
  ['payer-bulk', '当方負担手数料[総合振込]', ['BKGK025', 'BKGK026', 'BKGK027', 'BKGK033']],
]) {
  test(`${label}: one choice, then one fee, each one red item on 確認 and 結果`, async () => {
    const page = await master(app.browser);
    await page.goto(`${app.server.base}/company/fees/${key}`);
    assert.match(await page.textContent('.screen-id'), new RegExp(ids[0]));
    await both(page, `50-${key}-input`);
    // 手数料を読み込む: the bank's fees become the company's own; only the choice changes.
    await page.getByRole('button', { name: '手数料を読み込む' }).click();
    await page.getByRole('button', { name: '変更', exact: true }).click();
    assert.match(await page.textContent('.screen-id'), new RegExp(ids[1]));
    assert.equal(await red(page), 1, 'only 基準手数料の使用有無');
    await execute(page, `**/company/fees/${key}/result**`);
    assert.equal(await red(page), 1);

    // One fee: 範囲2 他行宛.
    await page.goto(`${app.server.base}/company/fees/${key}`);
    const fee = page.getByLabel('範囲2 他行宛');
    await fee.fill(String(Number(await fee.inputValue()) + 110));
    await page.getByRole('button', { name: '変更', exact: true }).click();
    assert.equal(await red(page), 1, 'only the changed cell');
    assert.equal(await page.locator('table.grid .changed-mark').count(), 1);
    await both(page, `51-${key}-confirm`);
    await execute(page, `**/company/fees/${key}/result**`);
    assert.match(await page.textContent('.screen-id'), new RegExp(ids[2]));
    assert.equal(await red(page), 1);
    assert.match(await page.textContent('.steps [aria-current=step]'), /変更完了/);
    await both(page, `52-${key}-result`);

    await page.goto(`${app.server.base}/company/fees/${key}/view`);
    assert.match(await page.textContent('.screen-id'), new RegExp(ids[3]));
    assert.equal(await page.locator('table.grid').count(), 1, 'the table once');
    assert.doesNotMatch(await main(page), /\d{4}-\d{2}-\d{2}/, 'no ISO dates on screens');
    assert.match(await main(page), /2019年10月1日/);
    await both(page, `53-${key}-view`);
  });
}

/** Through the three steps of the wizard from its first step, then 確認. */
async function wizard(page, fill) {
  await fill(page);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByRole('button', { name: '次へ' }).click();
  for (const id of ['limit_transfer', 'limit_bulk_transfer', 'limit_salary', 'limit_bonus', 'limit_direct_debit']) {
    const field = page.locator(`#${id}`);
    if (!(await field.inputValue())) await field.fill('0');
  }
  await page.getByRole('button', { name: /^(登録|変更)$/ }).click();
}

test('利用者: 登録 says 登録します, 変更 marks one item, 削除 shows 削除内容', async () => {
  const page = await master(app.browser);
  await page.goto(`${app.server.base}/users/list`);
  assert.equal(await page.locator('input[name=user]:checked').count(), 0, 'nobody pre-selected');
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await main(page), /利用者を選択してください。/);
  assert.match(await page.textContent('.screen-id'), /BRSK005/);
  await both(page, '60-users-none-selected');

  await page.goto(`${app.server.base}/users/new`);
  await both(page, '61-users-new-basic');
  await wizard(page, async (p) => {
    await p.locator('#login_id').fill('kimura01');
    await p.locator('#login_id_again').fill('kimura01');
    await p.locator('#login_password').fill('Shoki123');
    await p.locator('#login_password_again').fill('Shoki123');
    await p.locator('#confirmation_password').fill('Kakunin99');
    await p.locator('#confirmation_password_again').fill('Kakunin99');
    await p.getByLabel('利用者名').fill('木村　二郎');
    await p.locator('#email').fill('kimura@apparel.example.jp');
    await p.locator('#email_again').fill('kimura@apparel.example.jp');
    await p.locator('input[name=admin][value="0"]').check();
  });
  assert.match(await page.textContent('.screen-id'), /BRSK009/);
  assert.match(await main(page), /以下の内容で利用者情報を登録します/);
  assert.doesNotMatch(await main(page), /赤字|変更された項目はありません/);
  assert.equal(await red(page), 0);
  await both(page, '62-users-new-confirm');
  await execute(page, '**/users/result**');
  assert.match(await main(page), /以下の内容で利用者情報を登録しました/);
  assert.doesNotMatch(await main(page), /赤字|変更された項目はありません/);
  assert.equal(await red(page), 0);
  await page.getByRole('link', { name: '利用者登録メニューへ' }).waitFor();
  await both(page, '63-users-new-result');

  // 変更: only 利用者名.
  await page.goto(`${app.server.base}/users/list`);
  await page.getByLabel('kimura01を選択').check();
  await page.getByRole('button', { name: '変更' }).click();
  assert.match(await main(page), /利用者基本情報を変更し/);
  await both(page, '64-users-change-basic');
  await wizard(page, (p) => p.getByLabel('利用者名').fill('木村　三郎'));
  assert.match(await page.textContent('.screen-id'), /BRSK014/);
  assert.equal(await red(page), 1, 'only 利用者名; the passwords stay unmarked');
  assert.match(await main(page), /変更した内容は赤字で表示されています/);
  await both(page, '65-users-change-confirm');
  await execute(page, '**/users/result**');
  assert.match(await page.textContent('.screen-id'), /BRSK015/);
  assert.equal(await red(page), 1);
  assert.match(await page.textContent('.steps [aria-current=step]'), /変更完了/);
  await both(page, '66-users-change-result');

  // 削除.
  await page.goto(`${app.server.base}/users/list`);
  await page.getByLabel('kimura01を選択').check();
  await page.getByRole('button', { name: '削除' }).click();
  assert.match(await page.textContent('.screen-id'), /BRSK016/);
  assert.match(await main(page), /削除内容/);
  assert.match(await main(page), /以下の利用者を削除します/);
  assert.doesNotMatch(await main(page), /赤字|変更された項目はありません/);
  assert.match(await page.textContent('.steps [aria-current=step]'), /削除内容を確認/);
  assert.equal(await red(page), 0);
  await both(page, '67-users-delete-confirm');
  await execute(page, '**/users/result**');
  assert.match(await page.textContent('.screen-id'), /BRSK017/);
  assert.match(await main(page), /以下の利用者を削除しました/);
  assert.doesNotMatch(await main(page), /赤字|変更された項目はありません/);
  assert.match(await page.textContent('.steps [aria-current=step]'), /削除完了/);
  await both(page, '68-users-delete-result');
});

test('利用者停止・解除: stop, then release with a reissue, one red item each', async () => {
  const page = await master(app.browser);
  const ippan = await app.browser.newPage();
  await login(ippan, app.server.base, 'ippan01', 'Demo1234');
  await ippan.waitForURL('**/top');

  await page.goto(`${app.server.base}/users/locks`);
  assert.equal(await page.getByRole('link', { name: 'master01を選択' }).count(), 0);
  await both(page, '70-locks-list');
  await page.getByRole('link', { name: 'ippan01を選択' }).click();
  assert.match(await page.textContent('.screen-id'), /BRSK042/);
  assert.equal(await page.getByLabel('確認用パスワード', { exact: true }).count(), 1, 'one field labelled 確認用パスワード');
  await both(page, '71-locks-confirm');
  await page.getByLabel('利用停止').check();
  await page.getByLabel('確認用パスワード', { exact: true }).fill('Kakunin12');
  // The 結果 is the answer to the post, at the same address: wait for it, not the URL.
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BRSK043');
  assert.equal(await red(page), 1, 'only サービス状態');
  assert.match(await main(page), /管理者による利用停止/);
  await both(page, '72-locks-stopped');

  await ippan.goto(`${app.server.base}/top`);
  assert.match(ippan.url(), /\/login/, 'the stopped user is logged out at once');

  await page.goto(`${app.server.base}/users/locks`);
  await page.getByRole('link', { name: 'ippan01を選択' }).click();
  await page.getByLabel('利用可能').check();
  await page.locator('input[name=reissue][value=login]').check();
  await page.getByLabel('確認用パスワード', { exact: true }).fill('Kakunin12');
  await submit(page, page.getByRole('button', { name: '実行' }));
  await shown(page, 'BRSK043');
  assert.equal(await red(page), 1, 'only サービス状態; 再発行 is not a change mark');
  assert.match(await main(page), /再発行したパスワード/);
  await both(page, '73-locks-released');
});
