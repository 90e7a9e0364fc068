// Keeps the task queue current without a manual reload: polls a small JSON endpoint and, when
// the queue changed, swaps in the freshly rendered table. New urgent tasks are announced in a
// live region (screen readers) and in the tab title.
(function () {
  "use strict";
  // On a phone the filters would fill the first screen: they start folded behind their toggle
  // (which says how many are in use).
  var toggle = document.getElementById("filters-toggle");
  if (toggle && window.matchMedia && window.matchMedia("(max-width: 600px)").matches) {
    toggle.open = false;
  }
  var region = document.getElementById("queue-region");
  if (!region || !window.fetch) { return; }
  var live = document.getElementById("queue-live");
  var baseTitle = document.title;
  var seconds = Math.max(2, parseInt(region.dataset.pollSeconds, 10) || 10);
  var query = region.dataset.query || "";
  var maxId = parseInt(region.dataset.maxId, 10) || 0;
  var signature = region.dataset.signature;
  var busy = false;

  function withQuery(url, extra) {
    var parts = [query, extra].filter(function (p) { return p; });
    return url + (parts.length ? "?" + parts.join("&") : "");
  }

  function refresh() {
    return fetch(withQuery(region.dataset.fragmentUrl, "partial=1"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var active = document.activeElement;
        var keepFocus = active && region.contains(active) && active.getAttribute("href");
        region.innerHTML = html;
        if (keepFocus) {
          var again = region.querySelector('a[href="' + keepFocus + '"]');
          if (again) { again.focus(); }
        }
        var counts = document.getElementById("queue-counts");
        if (counts) { maxId = Math.max(maxId, parseInt(counts.dataset.maxId, 10) || 0); }
      });
  }

  function tick() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(withQuery(region.dataset.pollUrl, "since=" + maxId), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var fresh = data.new_urgent || [];
        if (data.signature === signature) { return null; }
        signature = data.signature;
        return refresh().then(function () {
          if (fresh.length) {
            var text = fresh.length === 1 ? "1 new urgent task" : fresh.length + " new urgent tasks";
            live.textContent = text + " in the queue.";
            document.title = "(" + fresh.length + " urgent) " + baseTitle;
          }
        });
      })
      .catch(function () { /* offline or signed out: try again on the next tick */ })
      .then(function () { busy = false; });
  }

  window.setInterval(tick, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { document.title = baseTitle; tick(); }
  });
}());
