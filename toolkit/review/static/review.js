/* The review site's script: select a record to highlight its evidence, select a passage to
   list its records, findings jump to their spans. It reads the page's JSON island and the
   DOM, and writes only with textContent and class names: no markup is built from data.
   Offsets in the island are UTF-16 units (precomputed from the code-point offsets). */
(function () {
  "use strict";
  var island = document.getElementById("review-data");
  if (!island) { return; }
  var data = JSON.parse(island.textContent);
  var textEl = document.getElementById("text");
  var fullText = textEl ? textEl.textContent : "";
  var segs = Array.prototype.slice.call(document.querySelectorAll("#text .seg"));
  var recs = Array.prototype.slice.call(document.querySelectorAll("#records [role=option]"));
  var info = document.getElementById("span-info");
  var segsOfSpan = {};
  segs.forEach(function (el) {
    el.dataset.s.split(" ").forEach(function (id) {
      (segsOfSpan[id] = segsOfSpan[id] || []).push(el);
    });
  });
  var current = null;

  function clearMarks() {
    document.querySelectorAll(".sel, .focus-span").forEach(function (el) {
      el.classList.remove("sel");
      el.classList.remove("focus-span");
    });
  }

  function setRoving(li) {
    recs.forEach(function (r) { r.tabIndex = r === li ? 0 : -1; });
  }

  function markSpans(spanIds, cls) {
    var first = null;
    spanIds.forEach(function (id) {
      (segsOfSpan[id] || []).forEach(function (el) {
        el.classList.add(cls);
        if (!first) { first = el; }
      });
    });
    return first;
  }

  function selectRecord(i, opts) {
    opts = opts || {};
    var li = document.getElementById("rec-" + i);
    if (!li) { return; }
    clearMarks();
    current = i;
    recs.forEach(function (r) { r.setAttribute("aria-selected", r === li ? "true" : "false"); });
    li.classList.add("sel");
    setRoving(li);
    var first = markSpans(data.records[i].spans, "sel");
    if (first && opts.scroll !== false) { first.scrollIntoView({ block: "center" }); }
    if (opts.focus) { li.focus({ preventScroll: true }); }
    li.scrollIntoView({ block: "nearest" });
  }

  function spanText(id) {
    var s = data.spans[id];
    return s && s.u16 ? fullText.slice(s.u16[0], s.u16[1]) : null;
  }

  function showSpanInfo(ids) {
    while (info.childNodes.length > 1) { info.removeChild(info.lastChild); }
    var list = document.createElement("ul");
    list.className = "span-records";
    ids.forEach(function (id) {
      var s = data.spans[id];
      var r = data.records[s.record];
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "k-" + s.kind;
      button.textContent = s.kind + ": " + r.label + " (" + r.id + ")";
      button.addEventListener("click", function () { selectRecord(s.record, { focus: true }); });
      var quote = document.createElement("q");
      quote.textContent = spanText(id);
      item.appendChild(button);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(quote);
      list.appendChild(item);
    });
    info.appendChild(list);
  }

  function selectSegment(el) {
    var ids = el.dataset.s.split(" ").map(Number);
    clearMarks();
    markSpans(ids, "focus-span");
    el.classList.add("sel");
    showSpanInfo(ids);
  }

  function selectFinding(li) {
    if (li.dataset.r !== undefined) { selectRecord(Number(li.dataset.r), { scroll: false }); }
    if (li.dataset.span !== undefined) {
      var first = markSpans([Number(li.dataset.span)], "focus-span");
      if (first) { first.scrollIntoView({ block: "center" }); showSpanInfo([Number(li.dataset.span)]); }
    }
  }

  function activates(e) { return e.key === "Enter" || e.key === " "; }

  recs.forEach(function (li) {
    li.addEventListener("click", function () { selectRecord(Number(li.dataset.r)); });
  });
  var list = document.getElementById("records");
  if (list) {
    list.addEventListener("keydown", function (e) {
      var at = recs.indexOf(document.activeElement);
      if (at < 0) { return; }
      var to = null;
      if (e.key === "ArrowDown" || e.key === "j") { to = Math.min(at + 1, recs.length - 1); }
      else if (e.key === "ArrowUp" || e.key === "k") { to = Math.max(at - 1, 0); }
      else if (e.key === "Home") { to = 0; }
      else if (e.key === "End") { to = recs.length - 1; }
      else if (activates(e)) { e.preventDefault(); selectRecord(Number(recs[at].dataset.r)); return; }
      if (to !== null) { e.preventDefault(); selectRecord(Number(recs[to].dataset.r), { focus: true }); }
    });
  }
  segs.forEach(function (el, n) {
    el.addEventListener("click", function () { selectSegment(el); });
    el.addEventListener("keydown", function (e) {
      var to = null;
      if (activates(e)) { e.preventDefault(); selectSegment(el); return; }
      if (e.key === "n" || e.key === "ArrowRight") { to = segs[Math.min(n + 1, segs.length - 1)]; }
      if (e.key === "p" || e.key === "ArrowLeft") { to = segs[Math.max(n - 1, 0)]; }
      if (to) { e.preventDefault(); e.stopPropagation(); to.focus(); }
    });
  });
  document.querySelectorAll(".finding[data-span], .finding[data-r]").forEach(function (li) {
    li.addEventListener("click", function () { selectFinding(li); });
    li.addEventListener("keydown", function (e) {
      if (activates(e)) { e.preventDefault(); selectFinding(li); }
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.closest && e.target.closest("#records, input, textarea")) { return; }
    if (e.key === "Escape") { clearMarks(); current = null; return; }
    if ((e.key === "j" || e.key === "k") && recs.length) {
      var next = current === null ? 0 : current + (e.key === "j" ? 1 : -1);
      next = Math.max(0, Math.min(recs.length - 1, next));
      selectRecord(Number(recs[next].dataset.r), { focus: true });
    }
  });
  function fromHash() {
    var pointer = decodeURIComponent(location.hash.slice(1));
    for (var i = 0; i < data.records.length; i++) {
      if (data.records[i].pointer === pointer) { selectRecord(i, { focus: true }); return; }
    }
  }
  window.addEventListener("hashchange", fromHash);
  if (location.hash.length > 1) { fromHash(); }
  /* For the browser tests and for reviewers at the console. */
  window.review = { data: data, selectRecord: selectRecord, spanText: spanText };
})();
