// Enhancements of the 利用者登録 forms; every form works without them.
// 「全選択」 ticks every サービス利用権限. 「ソフトウェアキーボードを使用」 shows an on-screen
// keyboard that types into the focused password field (against key loggers).
(function () {
  'use strict';
  var all = document.getElementById('select-all-permissions');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input.permission').forEach(function (box) { box.checked = all.checked; });
    });
  }
  var toggle = document.getElementById('use-soft-keyboard');
  var pad = document.getElementById('soft-keyboard');
  if (!toggle || !pad) { return; }
  var target = null;
  document.querySelectorAll('input.soft-keyboard-target').forEach(function (field) {
    field.addEventListener('focus', function () { target = field; });
  });
  var keys = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
  keys.sort(function () { return Math.random() - 0.5; });
  keys.concat(['削除']).forEach(function (k) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = k;
    b.addEventListener('click', function () {
      if (!target) { return; }
      target.value = k === '削除' ? target.value.slice(0, -1) : target.value + k;
      target.focus();
    });
    pad.appendChild(b);
  });
  toggle.addEventListener('change', function () { pad.hidden = !toggle.checked; });
}());

// 「閉じる」 (証明書失効結果): closes the window; a browser that refuses (a window the user
// opened) goes back to the top page instead.
(function () {
  document.querySelectorAll('[data-close-window]').forEach(function (b) {
    b.addEventListener('click', function () {
      window.close();
      window.setTimeout(function () { window.location.href = '/top'; }, 300);
    });
  });
}());
