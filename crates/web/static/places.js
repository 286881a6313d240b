// Place picker for the route rows of the case form (progressive enhancement:
// without JavaScript the country / subdivision / municipality inputs work as
// before). Type a few letters of a country, subdivision or town; suggestions
// come from Vigia's own gazetteer (/api/v1/places/search), never another site.
(function () {
  'use strict';
  var table = document.querySelector('table.route-rows');
  if (!table || !window.fetch) return;

  function setValue(input, v) {
    if (!input) return;
    input.value = v || '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  function enhance(row, n) {
    var country = row.querySelector('input[name="route_country"]');
    var sub = row.querySelector('input[name="route_subdivision"]');
    var muni = row.querySelector('input[name="route_municipality"]');
    if (!country) return;
    var cell = row.cells[0];
    var box = document.createElement('div');
    box.className = 'place-picker';
    var input = document.createElement('input');
    input.type = 'search';
    input.className = 'place-search';
    input.placeholder = 'Find a place…';
    input.autocomplete = 'off';
    input.setAttribute('aria-label', 'find a place for route row ' + n);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-expanded', 'false');
    var list = document.createElement('ul');
    list.className = 'place-hits';
    list.id = 'place-hits-' + n;
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    input.setAttribute('aria-controls', list.id);
    box.appendChild(input);
    box.appendChild(list);
    cell.appendChild(box);

    var timer = null;
    var seq = 0;
    var hits = [];
    var active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      active = -1;
    }
    function choose(h) {
      setValue(country, h.country);
      setValue(sub, h.subdivision || '');
      if (h.kind === 'place') setValue(muni, h.municipality || '');
      input.value = h.label;
      close();
    }
    function show() {
      list.textContent = '';
      hits.forEach(function (h, i) {
        var li = document.createElement('li');
        li.setAttribute('role', 'option');
        li.id = list.id + '-' + i;
        li.textContent = h.label;
        var kind = document.createElement('small');
        kind.textContent = ' ' + h.kind;
        li.appendChild(kind);
        if (i === active) li.setAttribute('aria-selected', 'true');
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(h); });
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute('aria-expanded', hits.length ? 'true' : 'false');
    }
    input.addEventListener('input', function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (q.length < 2) { hits = []; show(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        var lang = (document.documentElement.lang || 'en').slice(0, 2);
        fetch('/api/v1/places/search?limit=8&lang=' + encodeURIComponent(lang) + '&q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) { if (mine === seq) { hits = data; active = -1; show(); } })
          .catch(function () { hits = []; show(); });
      }, 150);
    });
    input.addEventListener('keydown', function (e) {
      if (list.hidden) return;
      if (e.key === 'ArrowDown') { active = Math.min(active + 1, hits.length - 1); show(); e.preventDefault(); }
      else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); show(); e.preventDefault(); }
      else if (e.key === 'Enter' && active >= 0) { choose(hits[active]); e.preventDefault(); }
      else if (e.key === 'Escape') { close(); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 100); });
  }

  Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) { enhance(row, i + 1); });
})();
