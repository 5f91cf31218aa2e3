/**
 * The HA page (`GET /ha`, docs/operations.md#the-ha-page): one HTML document, its style and a
 * small script inline, no framework and nothing fetched from elsewhere. The script polls the
 * serving instance's `GET /api/atlas/admin/ha` (the group's view, gathered server-side) and
 * redraws; every value goes into the DOM as text, never as markup.
 */

export const HA_PAGE_STYLE = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d232b; background: #f6f7f9; }
body { margin: 1.2rem 1.6rem; }
h1 { font-size: 1.25rem; margin: 0 0 .6rem; }
h2 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
#verdict { padding: .6rem .9rem; border-radius: 6px; font-weight: 600; color: #fff; background: #6b7280; }
#verdict[data-verdict="OK"] { background: #15803d; }
#verdict[data-verdict="WARNING"] { background: #b45309; }
#verdict[data-verdict="CRITICAL"] { background: #b91c1c; }
#meta { color: #4b5563; margin: .4rem 0; }
#stale { display: none; padding: .5rem .9rem; margin: .4rem 0; border-radius: 6px; background: #fde68a; }
body.stale #stale { display: block; }
body.stale table { opacity: .55; }
table { border-collapse: collapse; background: #fff; min-width: 60%; }
th, td { text-align: left; padding: .3rem .7rem; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
th { font-weight: 600; color: #374151; background: #eef0f3; }
td.state { font-weight: 700; }
tr[data-state="ACTIVE"] td.state { color: #15803d; }
tr[data-state="PASSIVE"] td.state { color: #1d4ed8; }
tr[data-state="BECOMING_ACTIVE"] td.state, tr[data-state="BECOMING_PASSIVE"] td.state { color: #b45309; }
tr[data-state="UNREACHABLE"] td, tr[data-state="INVALID"] td { color: #b91c1c; }
.dim { color: #6b7280; }
`;

export const HA_PAGE_SCRIPT = `
(function () {
  "use strict";
  var dataUrl = location.pathname.replace(/\\/ha\\/?$/, "") + "/api/atlas/admin/ha";
  var pollMs = 500;
  var last = null;
  var lastAt = 0;

  function $(id) { return document.getElementById(id); }
  function text(node, value) { node.textContent = value == null ? "-" : String(value); return node; }
  function cell(row, value, cls) {
    var td = text(document.createElement("td"), value);
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function age(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m" + String(s % 60).padStart(2, "0") + "s";
    var h = Math.floor(m / 60);
    if (h < 24) return h + "h" + String(m % 60).padStart(2, "0") + "m";
    return Math.floor(h / 24) + "d" + String(h % 24).padStart(2, "0") + "h";
  }
  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? "-" : d.toLocaleTimeString();
  }
  function lagOf(m) {
    var c = m.health && m.health.hookConsumer;
    if (!c || !c.lag || c.lag.length === 0) return "-";
    return c.lag.map(function (l) { return l.topic + "/" + l.partition + ": " + l.lag; }).join(", ");
  }

  function render(data) {
    var verdict = $("verdict");
    verdict.setAttribute("data-verdict", data.group.verdict);
    text(verdict, data.group.verdict + ": " + data.group.summary);
    var active = $("active");
    active.setAttribute("data-url", data.group.active || "");
    text(active, data.group.active || "none");
    text($("served-by"), data.servedBy.serverId + " (" + data.servedBy.url + "), " + data.servedBy.state);
    text($("updated"), new Date(lastAt).toLocaleTimeString());
    var now = Date.now();

    var body = $("members").tBodies[0];
    body.textContent = "";
    data.members.forEach(function (m) {
      var h = m.health;
      var reachable = m.state !== "UNREACHABLE" && m.state !== "INVALID";
      var row = body.insertRow();
      row.setAttribute("data-url", m.url);
      row.setAttribute("data-state", m.state);
      cell(row, m.id || (h && h.serverId));
      cell(row, m.url);
      cell(row, m.state, "state");
      cell(row, reachable && h && h.since ? clock(h.since) + " (for " + age(now - Date.parse(h.since)) + ")" : null);
      cell(row, h ? h.epoch : null);
      cell(row, h ? h.zookeeper : null);
      cell(row, h && h.hookConsumer ? h.hookConsumer.state : null);
      cell(row, reachable ? lagOf(m) : m.detail || m.state, reachable ? "" : "dim");
      cell(row, m.responseTimeMs.toFixed(1) + " ms", "dim");
    });

    var fbody = $("failovers").tBodies[0];
    fbody.textContent = "";
    if (data.failovers.length === 0) {
      var empty = fbody.insertRow();
      var td = cell(empty, "none remembered by the instances that answered", "dim");
      td.colSpan = 6;
    }
    data.failovers.forEach(function (f) {
      var row = fbody.insertRow();
      row.setAttribute("data-epoch", f.epoch == null ? "" : String(f.epoch));
      cell(row, clock(f.at) + " (" + age(now - Date.parse(f.at)) + " ago)");
      cell(row, f.serverId + " " + f.address);
      cell(row, f.epoch);
      cell(row, f.tookMs == null ? null : f.tookMs + " ms");
      cell(row, f.activationMs == null ? null : f.activationMs + " ms");
      cell(row, f.previousActive);
    });
  }

  function poll() {
    var started = Date.now();
    fetch(dataUrl, { cache: "no-store", headers: { accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        last = data;
        lastAt = Date.now();
        if (typeof data.pollMs === "number" && data.pollMs > 0) pollMs = data.pollMs;
        document.body.classList.remove("stale");
        render(data);
      })
      .catch(function (error) {
        document.body.classList.add("stale");
        text($("stale"), "This page's instance does not answer (" + error.message + ")" +
          (last ? "; showing what it said at " + new Date(lastAt).toLocaleTimeString() : "") +
          ". Open /ha on another instance of the group.");
      })
      .then(function () {
        setTimeout(poll, Math.max(0, pollMs - (Date.now() - started)));
      });
  }
  poll();
})();
`;

/** The page; `style` and `script` are the two constants above (their hashes go in its CSP). */
export const HA_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atlas HA group</title>
<style>${HA_PAGE_STYLE}</style>
</head>
<body>
<h1>Atlas HA group</h1>
<div id="verdict" data-verdict="">loading…</div>
<div id="meta">active: <strong id="active" data-url="">-</strong> · served by <span id="served-by">-</span> · updated <span id="updated">-</span></div>
<div id="stale" role="alert"></div>
<h2>Instances</h2>
<table id="members">
<thead><tr><th>id</th><th>address</th><th>state</th><th>since</th><th>epoch</th><th>ZooKeeper</th><th>hook consumer</th><th>lag per partition</th><th>answered in</th></tr></thead>
<tbody></tbody>
</table>
<h2>Last failovers</h2>
<table id="failovers">
<thead><tr><th>became active</th><th>new active</th><th>epoch</th><th>took</th><th>activation</th><th>previous active</th></tr></thead>
<tbody></tbody>
</table>
<script>${HA_PAGE_SCRIPT}</script>
</body>
</html>
`;
