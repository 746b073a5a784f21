// The segment editor's live preview: as the definition (or the consent it requires) changes, the form is
// posted to the preview endpoint, and the size and a sample of members shown. Without this script the
// Preview button does the same with a page load. The dashboard's only script; it inserts text only.
(function () {
  'use strict';
  var form = document.getElementById('segment-form');
  if (!form) return;
  var size = document.getElementById('preview-size');
  var sample = document.getElementById('preview-sample');
  var error = document.getElementById('preview-error');
  var timer = null;
  var latest = 0;

  function show(answer) {
    size.textContent = String(answer.size);
    while (sample.firstChild) sample.removeChild(sample.firstChild);
    answer.sample.forEach(function (id) {
      var item = document.createElement('li');
      item.textContent = id;
      sample.appendChild(item);
    });
    error.textContent = '';
  }

  function preview() {
    var asked = ++latest;
    fetch('/dashboard/segments/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (asked !== latest) return; // an older answer arriving after a newer question
      if (result.ok) show(result.body);
      else error.textContent = (result.body.error && result.body.error.message) || 'preview failed';
    }).catch(function () {
      if (asked === latest) error.textContent = 'preview failed';
    });
  }

  form.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  });
  preview();
})();
