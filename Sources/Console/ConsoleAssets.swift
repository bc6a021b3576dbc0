/// The console's stylesheet and script, served at `/console/console.css` and `/console/console.js`.
package enum ConsoleAssets {
    package static let stylesheet = """
        :root { --bg:#f6f7f9; --panel:#fff; --text:#1d2330; --muted:#5d6677; --line:#dde1e8; --accent:#5865f2;
          --ok:#1f9d55; --warn:#c27c0e; --bad:#d23f3f; --card:#232428; --card-text:#f2f3f5; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) { :root { --bg:#15171c; --panel:#1e2128; --text:#e6e8ee; --muted:#9aa3b5;
          --line:#30343e; --card:#111214; } }
        * { box-sizing: border-box; }
        body { margin:0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
        header { display:flex; flex-wrap:wrap; gap:.5rem 1.5rem; align-items:center; padding:.75rem 1.25rem;
          background:var(--panel); border-bottom:1px solid var(--line); }
        header .brand { font-weight:700; font-size:1.1rem; }
        header nav { display:flex; flex-wrap:wrap; gap:1rem; flex:1; }
        header nav a { color:var(--text); text-decoration:none; }
        header nav a[aria-current] { color:var(--accent); font-weight:600; }
        main { max-width:1100px; margin:0 auto; padding:1.25rem; }
        h1 { font-size:1.4rem; margin:.2rem 0 1rem; } h2 { font-size:1.1rem; margin:1.5rem 0 .6rem; }
        .panel { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:1rem 1.2rem; margin-bottom:1rem; }
        .grid { display:grid; gap:1rem; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr)); }
        .muted { color:var(--muted); } .ok { color:var(--ok); } .warn { color:var(--warn); } .bad { color:var(--bad); }
        .badge { display:inline-block; padding:0 .5rem; border-radius:999px; font-size:.8rem; border:1px solid currentColor; }
        table { width:100%; border-collapse:collapse; } th, td { text-align:left; padding:.4rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
        .scroll { overflow-x:auto; }
        input[type=text], input[type=password], input[type=number], select, textarea { width:100%; padding:.45rem .6rem;
          border:1px solid var(--line); border-radius:6px; background:var(--bg); color:var(--text); font:inherit; }
        button, .button { font:inherit; padding:.45rem 1rem; border-radius:6px; border:1px solid var(--accent); background:var(--accent);
          color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
        button.secondary { background:transparent; color:var(--accent); }
        button.danger { background:var(--bad); border-color:var(--bad); }
        form.inline { display:inline; }
        .field { margin:.8rem 0; } .field label { font-weight:600; display:block; }
        .field .help { color:var(--muted); font-size:.85rem; } .field .error, .error { color:var(--bad); font-weight:600; }
        fieldset { border:1px solid var(--line); border-radius:8px; margin:.8rem 0; }
        pre, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:.85rem; }
        pre { background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:.6rem; overflow-x:auto; white-space:pre-wrap; }
        .presence { background:var(--card); color:var(--card-text); border-radius:12px; padding:1rem; }
        .presence .heading { font-size:.75rem; font-weight:700; text-transform:uppercase; letter-spacing:.03em; margin-bottom:.6rem; }
        .presence .body { display:flex; gap:.9rem; align-items:center; }
        .presence img, .presence .noart { width:88px; height:88px; border-radius:8px; object-fit:cover; background:#3a3c43; flex:none; }
        .presence .lines { min-width:0; } .presence .lines div { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
        .presence .title { font-weight:700; }
        .progress { display:flex; align-items:center; gap:.5rem; font-size:.75rem; margin-top:.6rem; }
        .progress .bar { flex:1; height:4px; background:#4e5058; border-radius:2px; overflow:hidden; }
        .progress .bar span { display:block; height:100%; background:var(--card-text); width:0; }
        .user .art { float:right; width:64px; height:64px; border-radius:6px; object-fit:cover; margin-left:.6rem; }
        .memberline { font-size:.8rem; margin-top:.6rem; color:#b5bac1; }
        .logs td { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:.8rem; }
        @media (max-width: 600px) { main { padding:.75rem; } header { padding:.6rem .75rem; } th, td { padding:.35rem .3rem; }
          header nav { order:3; flex-basis:100%; } header .brand { flex:1; } }
        """

    package static let script = """
        "use strict";
        function formatTime(ms) { const s = Math.max(0, Math.floor(ms / 1000)); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
        function tickProgress() {
          const now = Date.now();
          document.querySelectorAll("[data-start][data-end]").forEach(function (el) {
            const start = Number(el.dataset.start), end = Number(el.dataset.end);
            if (!(end > start)) return;
            const paused = el.dataset.paused === "true";
            const at = paused && el.dataset.at ? Number(el.dataset.at) : Math.min(now, end);
            const bar = el.querySelector(".bar span");
            if (bar) bar.style.width = (100 * (at - start) / (end - start)).toFixed(2) + "%";
            const elapsed = el.querySelector(".elapsed"); if (elapsed) elapsed.textContent = formatTime(at - start);
            const total = el.querySelector(".total"); if (total) total.textContent = formatTime(end - start);
          });
        }
        function follow(live) {
          const source = new EventSource(live.dataset.events);
          source.addEventListener("refresh", function () {
            fetch(live.dataset.fragment, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) { if (html !== null) { live.innerHTML = html; tickProgress(); } });
          });
        }
        function followLogs(table) {
          let after = Number(table.dataset.after || 0);
          setInterval(function () {
            fetch(table.dataset.source + "&after=" + after, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; })
              .then(function (entries) {
                const body = table.querySelector("tbody");
                entries.forEach(function (e) {
                  after = Math.max(after, e.sequence);
                  const row = document.createElement("tr");
                  [new Date(e.date).toLocaleTimeString(), e.level, e.plugin || "", e.message + (e.metadata ? " " + e.metadata : "")]
                    .forEach(function (text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); });
                  body.appendChild(row);
                });
              });
          }, 2000);
        }
        function upload(form) {
          form.addEventListener("submit", function (event) {
            event.preventDefault();
            const file = document.getElementById("upload-file").files[0];
            const error = document.getElementById("upload-error");
            if (!file) return;
            error.textContent = "";
            fetch("/api/console/uploads", { method: "POST", body: file, credentials: "same-origin",
              headers: { "X-CSRF-Token": form.dataset.csrf, "X-Plugin-File": file.name, "Content-Type": "application/octet-stream" } })
              .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
              .then(function (answer) { if (answer.ok) { window.location = answer.body.review; } else { error.textContent = answer.body.error; } })
              .catch(function (e) { error.textContent = String(e); });
          });
        }
        document.addEventListener("DOMContentLoaded", function () {
          document.querySelectorAll("form#upload").forEach(upload);
          tickProgress(); setInterval(tickProgress, 1000);
          document.querySelectorAll("[data-events]").forEach(follow);
          document.querySelectorAll("table[data-source]").forEach(followLogs);
        });
        """
}
