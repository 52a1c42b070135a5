// segql docs: the lineage graph. Pan by dragging, zoom with the wheel or the buttons,
// hover or focus a node to see what it reads and what uses it, click to open its page.
// lineage.html#segment/paying centres and highlights that node.
(function () {
  "use strict";
  var holder = document.getElementById("graph");
  var svg = document.getElementById("lineage");
  if (!holder || !svg) { return; }
  var W = parseFloat(svg.getAttribute("data-width")) || 100;
  var H = parseFloat(svg.getAttribute("data-height")) || 100;
  var view = { x: 0, y: 0, w: W, h: H };
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".node"));
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var byId = {};
  nodes.forEach(function (n) { byId[n.getAttribute("data-id")] = n; });

  function apply() {
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) { return v.toFixed(1); }).join(" "));
  }
  // The visible region keeps the box's aspect ratio.
  function aspect() {
    var r = holder.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? r.height / r.width : H / W;
  }
  function fit() {
    var a = aspect();
    var w = W, h = W * a;
    if (h < H) { h = H; w = H / a; }
    view = { x: (W - w) / 2, y: (H - h) / 2, w: w, h: h };
    apply();
  }
  // The first view: the whole graph when it is readable that way, else its left part
  // from the top at a readable size (Fit shows everything).
  function start() {
    var r = holder.getBoundingClientRect();
    var scale = r.width > 0 ? Math.min(r.width / W, r.height / H) : 1;
    if (scale >= 0.55) { fit(); return; }
    var w = r.width / 0.8, h = w * aspect();
    view = { x: 0, y: 0, w: w, h: h };
    apply();
  }
  function zoom(factor, cx, cy) {
    var w = Math.min(Math.max(view.w * factor, 80), Math.max(W, H) * 4);
    var k = w / view.w;
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    view = { x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k, w: w, h: view.h * k };
    apply();
  }
  function toGraph(clientX, clientY) {
    var r = holder.getBoundingClientRect();
    return { x: view.x + (clientX - r.left) / r.width * view.w, y: view.y + (clientY - r.top) / r.height * view.h };
  }
  function centre(node) {
    var rect = node.querySelector("rect");
    var x = parseFloat(rect.getAttribute("x")) + parseFloat(rect.getAttribute("width")) / 2;
    var y = parseFloat(rect.getAttribute("y")) + parseFloat(rect.getAttribute("height")) / 2;
    var w = Math.min(view.w, Math.max(900, parseFloat(rect.getAttribute("width")) * 4));
    var h = w * aspect();
    view = { x: x - w / 2, y: y - h / 2, w: w, h: h };
    apply();
  }

  // Highlighting: a node, what it reads and what uses it (one step each way).
  function highlight(id) {
    nodes.forEach(function (n) { n.classList.remove("near", "center"); });
    edges.forEach(function (e) { e.classList.remove("near"); });
    if (!id) { svg.classList.remove("focused"); return; }
    svg.classList.add("focused");
    edges.forEach(function (e) {
      var from = e.getAttribute("data-from"), to = e.getAttribute("data-to");
      if (from === id || to === id) {
        e.classList.add("near");
        if (byId[from]) { byId[from].classList.add("near"); }
        if (byId[to]) { byId[to].classList.add("near"); }
      }
    });
    if (byId[id]) { byId[id].classList.add("center"); }
  }
  var pinned = null;
  nodes.forEach(function (n) {
    var id = n.getAttribute("data-id");
    n.addEventListener("mouseenter", function () { if (!pinned) { highlight(id); } });
    n.addEventListener("mouseleave", function () { if (!pinned) { highlight(null); } });
    n.addEventListener("focus", function () { highlight(id); });
  });

  // Dragging pans; a drag that moved does not follow the link under it.
  var drag = null, moved = false;
  holder.addEventListener("pointerdown", function (ev) {
    if (ev.button !== 0) { return; }
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
    moved = false;
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    if (!moved) { holder.classList.add("dragging"); }
    moved = true;
    var r = holder.getBoundingClientRect();
    view.x = drag.vx - dx / r.width * view.w;
    view.y = drag.vy - dy / r.height * view.h;
    apply();
  });
  window.addEventListener("pointerup", function () {
    drag = null;
    holder.classList.remove("dragging");
  });
  holder.addEventListener("click", function (ev) {
    if (moved) { ev.preventDefault(); ev.stopPropagation(); moved = false; }
  }, true);
  holder.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toGraph(ev.clientX, ev.clientY);
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });
  holder.addEventListener("keydown", function (ev) {
    if (ev.key === "+" || ev.key === "=") { zoom(1 / 1.25); }
    else if (ev.key === "-") { zoom(1.25); }
    else if (ev.key === "0") { fit(); }
    else if (ev.key === "Escape") { pinned = null; highlight(null); }
  });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-fit").addEventListener("click", function () { pinned = null; highlight(null); fit(); });

  // Find: the first node whose name holds the text is centred and highlighted.
  var find = document.getElementById("graph-find");
  find.addEventListener("input", function () {
    var q = find.value.trim().toLowerCase();
    if (!q) { pinned = null; highlight(null); return; }
    var hit = nodes.filter(function (n) { return n.getAttribute("data-name").toLowerCase().indexOf(q) >= 0; })[0];
    if (hit) { pinned = hit.getAttribute("data-id"); highlight(pinned); centre(hit); }
  });

  function fromHash() {
    var id = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    if (id && byId[id]) { pinned = id; highlight(id); centre(byId[id]); return true; }
    return false;
  }
  window.addEventListener("hashchange", fromHash);
  window.addEventListener("resize", function () { if (!fromHash()) { start(); } });
  if (!fromHash()) { start(); }
})();
