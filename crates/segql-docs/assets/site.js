// segql docs: search (every page), filters (the index), SQL tabs and copy buttons.
// No dependencies; works from file:// and over HTTP with a strict Content-Security-Policy.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var index = window.SEGQL_INDEX || [];

  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function haystack(e) {
    if (!e._h) {
      e._h = [e.n, e.l, e.e, e.d, e.o, (e.t || []).join(" "), e.w].join(" ").toLowerCase();
    }
    return e._h;
  }

  // Items matching every term, best first: the name itself, then names starting with
  // the query, names holding it, then the rest (descriptions, tags, conditions).
  function search(q) {
    var ts = terms(q);
    if (ts.length === 0) { return []; }
    var whole = q.trim().toLowerCase();
    var hits = [];
    index.forEach(function (e) {
      var h = haystack(e);
      for (var i = 0; i < ts.length; i++) { if (h.indexOf(ts[i]) < 0) { return; } }
      var n = e.n.toLowerCase();
      var rank = n === whole ? 0 : n.indexOf(whole) === 0 ? 1 : n.indexOf(whole) >= 0 ? 2 : 3;
      hits.push({ e: e, rank: rank });
    });
    hits.sort(function (a, b) { return a.rank - b.rank || a.e.n.localeCompare(b.e.n); });
    return hits.map(function (h) { return h.e; });
  }
  window.segqlSearch = search;

  // The search box in the header: results as links while typing.
  var box = document.getElementById("site-search");
  var list = document.getElementById("search-results");
  var active = -1;
  function show(results) {
    list.textContent = "";
    active = -1;
    results.slice(0, 12).forEach(function (e) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = root + e.h;
      a.className = "result";
      var badge = document.createElement("span");
      badge.className = "badge " + e.k;
      badge.textContent = e.l;
      var name = document.createElement("code");
      name.textContent = e.n;
      a.appendChild(badge);
      a.appendChild(document.createTextNode(" "));
      a.appendChild(name);
      if (e.d) {
        var d = document.createElement("span");
        d.className = "desc";
        d.textContent = e.d;
        a.appendChild(d);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    if (results.length === 0 && box.value.trim() !== "") {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = "No match";
      list.appendChild(none);
    }
    list.hidden = list.children.length === 0;
  }
  function move(step) {
    var items = list.querySelectorAll("li a");
    if (items.length === 0) { return; }
    active = (active + step + items.length) % items.length;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.classList.toggle("active", i === active);
    });
    items[active].scrollIntoView({ block: "nearest" });
  }
  if (box && list) {
    box.addEventListener("input", function () { show(search(box.value)); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
      else if (ev.key === "Escape") { list.hidden = true; }
      else if (ev.key === "Enter" && active >= 0) {
        ev.preventDefault();
        list.querySelectorAll("li a")[active].click();
      }
    });
    document.addEventListener("click", function (ev) {
      if (!box.parentNode.contains(ev.target)) { list.hidden = true; }
    });
  }

  // The index: filters over the table's rows, kept in the address.
  var table = document.getElementById("items");
  if (table) {
    var params = new URLSearchParams(window.location.search);
    var controls = {
      q: document.getElementById("filter-q"),
      kind: document.getElementById("filter-kind"),
      entity: document.getElementById("filter-entity"),
      owner: document.getElementById("filter-owner"),
      tag: document.getElementById("filter-tag")
    };
    Object.keys(controls).forEach(function (k) {
      var v = params.get(k);
      if (v !== null && controls[k]) { controls[k].value = v; }
    });
    if (params.get("q") && box) { box.value = params.get("q"); }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var count = document.getElementById("filter-count");
    var none = document.getElementById("no-match");
    var apply = function () {
      var ts = terms(controls.q.value);
      var kind = controls.kind.value, entity = controls.entity.value;
      var owner = controls.owner.value, tag = controls.tag.value;
      var shown = 0;
      rows.forEach(function (r) {
        var text = r.getAttribute("data-text");
        var tags = JSON.parse(r.getAttribute("data-tags") || "[]");
        var ok = (!kind || r.getAttribute("data-kind") === kind) &&
          (!entity || r.getAttribute("data-entity") === entity) &&
          (!owner || r.getAttribute("data-owner") === owner) &&
          (!tag || tags.indexOf(tag) >= 0) &&
          ts.every(function (t) { return text.indexOf(t) >= 0; });
        r.hidden = !ok;
        if (ok) { shown++; }
      });
      count.textContent = shown === rows.length ? rows.length + " items" : shown + " of " + rows.length + " items";
      none.hidden = shown !== 0;
      var p = new URLSearchParams();
      Object.keys(controls).forEach(function (k) { if (controls[k].value) { p.set(k, controls[k].value); } });
      var qs = p.toString();
      try { window.history.replaceState(null, "", qs ? "?" + qs : window.location.pathname); } catch (e) { /* file:// in some browsers */ }
    };
    Object.keys(controls).forEach(function (k) {
      controls[k].addEventListener(k === "q" ? "input" : "change", apply);
    });
    apply();
  }

  // SQL tabs: one dialect shown; the choice is remembered across pages when allowed.
  var tabs = document.querySelectorAll(".tabs [role=tab]");
  function select(dialect, remember) {
    var found = false;
    Array.prototype.forEach.call(tabs, function (t) {
      var on = t.getAttribute("data-dialect") === dialect;
      found = found || on;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !on; }
    });
    if (found && remember) {
      try { window.localStorage.setItem("segql-dialect", dialect); } catch (e) { /* storage off */ }
    }
    return found;
  }
  if (tabs.length > 0) {
    var saved = null;
    try { saved = window.localStorage.getItem("segql-dialect"); } catch (e) { saved = null; }
    if (!saved || !select(saved, false)) { select(tabs[0].getAttribute("data-dialect"), false); }
    Array.prototype.forEach.call(tabs, function (t, i) {
      t.addEventListener("click", function () { select(t.getAttribute("data-dialect"), true); });
      t.addEventListener("keydown", function (ev) {
        var step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (step) {
          var next = tabs[(i + step + tabs.length) % tabs.length];
          select(next.getAttribute("data-dialect"), true);
          next.focus();
        }
      });
    });
  }

  // Copy buttons: the text of the element they name.
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (!el) { return; }
      var done = function () { b.textContent = "Copied"; setTimeout(function () { b.textContent = "Copy"; }, 1500); };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(el);
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        b.textContent = "Selected: press Ctrl+C";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(el.textContent).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
