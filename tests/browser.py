"""Render an HTML file in headless Chromium: a screenshot, and what the page saw while loading.

Two passes over the same layout: one over a copy of the page with a probe script (errors,
resources fetched, each chart's box, the page height), read back with --dump-dom; then a
screenshot of the page itself (which has no scripts) at exactly that height.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium waits on the network, which hangs on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
WIDTH = 1280

PROBE_HEAD = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(
  String(e.message || (e.target && (e.target.src || e.target.href)) || "error")), true);
const __consoleError = console.error;
console.error = (...args) => { window.__errors.push(args.join(" ")); __consoleError(...args); };
</script>"""
PROBE_BODY = """<script>
(() => {
  const charts = [...document.querySelectorAll("figure.chart")].map((f) => {
    const r = f.getBoundingClientRect();
    return {name: f.dataset.chart, x: r.x + scrollX, y: r.y + scrollY, width: r.width,
            height: r.height};
  });
  const out = {charts, errors: window.__errors, height: document.documentElement.scrollHeight,
    resources: performance.getEntriesByType("resource").map((e) => e.name),
    sections: [...document.querySelectorAll("section")].map((s) => s.id)};
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


@dataclass(frozen=True)
class Page:
    screenshot: Path
    charts: list[dict]
    errors: list[str]
    resources: list[str]
    sections: list[str]
    height: int


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(page: Path, screenshot: Path, timeout: float = 60) -> Page:
    """Load `page` (an HTML file without scripts) and screenshot it whole."""
    probe = _probe(page, timeout)
    height = max(int(probe["height"]), 200)
    _chromium(
        [f"--screenshot={screenshot}", f"--window-size={WIDTH},{height}", page.as_uri()], timeout
    )
    return Page(
        screenshot, probe["charts"], probe["errors"], probe["resources"], probe["sections"], height
    )


def _probe(page: Path, timeout: float) -> dict:
    html = page.read_text(encoding="utf-8")
    html = html.replace("<head>", "<head>" + PROBE_HEAD, 1).replace(
        "</body>", PROBE_BODY + "</body>", 1
    )
    probed = page.with_name(f".{page.stem}-probe.html")
    probed.write_text(html, encoding="utf-8")
    try:
        dom = _chromium(["--dump-dom", f"--window-size={WIDTH},1000", probed.as_uri()], timeout)
    finally:
        probed.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.DOTALL)
    assert found, f"the probe did not run; Chromium printed: {dom[:500]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _chromium(arguments: list[str], timeout: float) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout
