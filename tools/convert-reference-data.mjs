// Converts the two npm data sets named in the design's data notes into the files madoguchi
// ships under reference-data/ (and loads with `madoguchi banks import` / `madoguchi calendar import`):
//   node tools/convert-reference-data.mjs PATH/zengin-code/package PATH/holiday_jp/package
// where each PATH is an unpacked `npm pack` (zengin-code, @holiday-jp/holiday_jp).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';

const [zengin, holidayJp] = process.argv.slice(2).map((p) => resolve(p));
if (!zengin || !holidayJp) {
  console.error('usage: node tools/convert-reference-data.mjs ZENGIN_PACKAGE HOLIDAY_JP_PACKAGE');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const out = resolve(import.meta.dirname, '..', 'reference-data');
const clean = (s) => String(s).replace(/[\t\r\n]/g, ' ').trim();

// 金融機関・支店: one line per bank (branch code empty) and per branch, tab-separated:
// 金融機関コード, 支店コード, 名称, カナ (全角, as published).
const banks = require(join(zengin, 'lib', 'zengin-data.js'));
const lines = ['bank_code\tbranch_code\tname\tkana'];
for (const code of Object.keys(banks).sort()) {
  const b = banks[code];
  lines.push([b.code, '', clean(b.name), clean(b.kana)].join('\t'));
  for (const bc of Object.keys(b.branches).sort()) {
    const r = b.branches[bc];
    lines.push([b.code, r.code, clean(r.name), clean(r.kana)].join('\t'));
  }
}
writeFileSync(join(out, 'zengin-banks.tsv.gz'), gzipSync(lines.join('\n') + '\n', { level: 9 }));
const zenginVersion = JSON.parse(readFileSync(join(zengin, 'package.json'), 'utf8')).version;

// 祝日: date, name.
const holidays = require(join(holidayJp, 'lib', 'holidays.js')).holidays
  ?? require(join(holidayJp, 'lib', 'holidays.js'));
const days = Object.keys(holidays).sort().map((d) => `${d}\t${clean(holidays[d].name)}`);
writeFileSync(join(out, 'holidays-jp.tsv'), ['date\tname', ...days].join('\n') + '\n');
const holidayVersion = JSON.parse(readFileSync(join(holidayJp, 'package.json'), 'utf8')).version;

console.log(`zengin-code ${zenginVersion}: ${lines.length - 1} lines; holiday_jp ${holidayVersion}: ${days.length} days`);
