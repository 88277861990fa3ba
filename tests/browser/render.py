"""Markdown the tool writes, rendered as GitHub renders it, in a real browser (Debian's
chromium, headless): github-markdown-css at a comment's width, Mermaid for the charts. What
it finds: Mermaid errors, and code-block lines cut off at the edge (that would need
scrolling). A screenshot of each page is kept in ``build/browser/``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHOTS = ROOT / "build" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files", "--virtual-time-budget=15000"]


@dataclass(frozen=True)
class Rendered:
    mermaid_errors: list[str]
    cut: list[str]
    charts: int


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(markdown: str, name: str) -> Rendered:
    """Render ``markdown`` and report what a reader would meet; keep ``SHOTS/name.png``."""
    browser = chromium()
    assert browser is not None, "chromium is not installed (.ci/run installs it)"
    assert (HERE / "node_modules" / "mermaid").is_dir(), "run npm ci in tests/browser/"
    source = json.dumps(markdown).replace("</", "<\\/")
    page = (HERE / "page.html").read_text().replace("__SOURCE__", source)
    with tempfile.TemporaryDirectory() as profile:
        where = HERE / f".page-{name}.html"  # beside node_modules, for its relative links
        where.write_text(page, encoding="utf-8")
        try:
            done = subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}",
                                   "--dump-dom", where.as_uri()],
                                  capture_output=True, text=True, timeout=120)
            SHOTS.mkdir(parents=True, exist_ok=True)
            subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}",
                            "--window-size=932,3000", f"--screenshot={SHOTS / (name + '.png')}",
                            where.as_uri()], capture_output=True, timeout=120)
        finally:
            where.unlink(missing_ok=True)
    found = re.search(r'<pre id="streaks-result"[^>]*>(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1), f"the page did not finish: {done.stderr[-2000:]}"
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return Rendered(**json.loads(text))
