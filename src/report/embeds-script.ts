// The embeds page's filter, as the script text the page carries: a query read as `stubforge query
// embeds` reads it ("zlib", "zlib << 1:1.3", "zlib (<< 1:1.3)") and dpkg's version order, so the
// box answers as the command does. It is plain JavaScript (the page loads nothing), kept small and
// checked against the project's own parser and comparison by the unit tests (report-embeds).
// Without a document (the tests), it only defines `stubforgeEmbeds`.

export const EMBEDS_SCRIPT = String.raw`
var stubforgeEmbeds = (function () {
  var OPS = ['<<', '<=', '=', '>=', '>>'];
  var SOURCE = /^[a-z0-9][a-z0-9.+-]+$/;
  var VERSION = /^(?:([0-9]+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;
  function isDigit(c) { return c !== undefined && c >= '0' && c <= '9'; }
  function order(c) {
    if (c === undefined || isDigit(c)) return 0;
    if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
    if (c === '~') return -1;
    return c.charCodeAt(0) + 256;
  }
  function comparePart(a, b) {
    var i = 0, j = 0;
    while (i < a.length || j < b.length) {
      while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
        var ac = order(a[i]), bc = order(b[j]);
        if (ac !== bc) return ac < bc ? -1 : 1;
        i++; j++;
      }
      while (a[i] === '0') i++;
      while (b[j] === '0') j++;
      var first = 0;
      while (isDigit(a[i]) && isDigit(b[j])) {
        if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
        i++; j++;
      }
      if (isDigit(a[i])) return 1;
      if (isDigit(b[j])) return -1;
      if (first !== 0) return first < 0 ? -1 : 1;
    }
    return 0;
  }
  function parseVersion(v) {
    var m = VERSION.exec(v);
    if (m === null) return null;
    var epoch = m[1] === undefined ? 0 : Number(m[1]);
    if (m[1] === undefined && m[2].indexOf(':') >= 0) return null;
    return { epoch: epoch, upstream: m[2], revision: m[3] === undefined ? '' : m[3] };
  }
  function compare(a, b) {
    var pa = parseVersion(a), pb = parseVersion(b);
    if (pa === null || pb === null) return null;
    if (pa.epoch !== pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
    return comparePart(pa.upstream, pb.upstream) || comparePart(pa.revision, pb.revision);
  }
  function parseQuery(text) {
    var t = text.trim();
    var words;
    var rel = /^([^\s(]+)\s*\(\s*(<<|<=|=|>=|>>)\s*([^\s)]+)\s*\)$/.exec(t);
    if (rel !== null) words = [rel[1], rel[2], rel[3]];
    else if (t.indexOf('(') >= 0) return { error: '"' + t + '" is not one relation "source (op version)"' };
    else words = t === '' ? [] : t.split(/\s+/);
    if (words.length === 0) return { error: 'a source package name is needed' };
    if (!SOURCE.test(words[0])) return { error: '"' + words[0] + '" is not a source package name' };
    if (words.length === 1) return { source: words[0] };
    if (OPS.indexOf(words[1]) < 0) return { error: '"' + words[1] + '" is not a version operator (' + OPS.join(' ') + ')' };
    if (words.length === 2) return { error: '"' + words[1] + '" needs a version after it' };
    if (words.length > 3) return { error: 'unexpected "' + words.slice(3).join(' ') + '" after the version' };
    if (parseVersion(words[2]) === null) return { error: 'invalid version "' + words[2] + '"' };
    return { source: words[0], op: words[1], version: words[2] };
  }
  function satisfies(version, query) {
    if (query.op === undefined) return true;
    var c = compare(version, query.version);
    if (c === null) return false;
    switch (query.op) {
      case '<<': return c < 0;
      case '<=': return c <= 0;
      case '=': return c === 0;
      case '>=': return c >= 0;
      default: return c > 0;
    }
  }
  function describe(q) { return q.op === undefined ? q.source + ' (any version)' : q.source + ' (' + q.op + ' ' + q.version + ')'; }
  return { compare: compare, parseQuery: parseQuery, satisfies: satisfies, describe: describe };
})();

if (typeof document !== 'undefined') (function () {
  var form = document.getElementById('embeds-filter');
  var input = document.getElementById('embeds-query');
  var answer = document.getElementById('embeds-answer');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#embeds-matrix tbody tr'));
  var heads = Array.prototype.slice.call(document.querySelectorAll('#embeds-matrix thead th'));
  // Columns of sources no shown row embeds are hidden too, so that the answer fits the screen.
  function showColumns(all) {
    heads.forEach(function (th, i) {
      if (i < 3) return;
      var used = all || rows.some(function (r) { return !r.classList.contains('hidden') && r.cells[i] !== undefined && r.cells[i].textContent !== ''; });
      th.classList.toggle('hidden', !used);
      rows.forEach(function (r) { if (r.cells[i] !== undefined) r.cells[i].classList.toggle('hidden', !used); });
    });
  }
  function apply() {
    var text = input.value;
    var marked = document.querySelectorAll('#embeds-matrix .match');
    for (var k = 0; k < marked.length; k++) marked[k].classList.remove('match');
    if (text.trim() === '') {
      rows.forEach(function (r) { r.classList.remove('hidden'); });
      showColumns(true);
      answer.textContent = '';
      return;
    }
    var q = stubforgeEmbeds.parseQuery(text);
    if (q.error !== undefined) { answer.textContent = q.error; return; }
    var found = 0;
    rows.forEach(function (r) {
      var hit = false;
      var cells = r.querySelectorAll('[data-source]');
      for (var i = 0; i < cells.length; i++) {
        var c = cells[i];
        if (c.getAttribute('data-source') === q.source && stubforgeEmbeds.satisfies(c.getAttribute('data-version'), q)) {
          hit = true;
          c.parentNode.classList.add('match');
        }
      }
      r.classList.toggle('hidden', !hit);
      if (hit) found++;
    });
    showColumns(found === 0);
    answer.textContent = found === 0 ? 'no package embeds ' + stubforgeEmbeds.describe(q) : found + ' package(s) embed ' + stubforgeEmbeds.describe(q);
  }
  form.hidden = false;
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  input.addEventListener('input', apply);
  var initial = new URLSearchParams(location.search).get('q');
  if (initial !== null) { input.value = initial; apply(); }
})();
`;
