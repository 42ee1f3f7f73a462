"""The HTML report in a real browser: headless Chromium loads it with no console errors and no
broken images, and shows the comparison table.

Needs Debian's chromium (/usr/bin/chromium) and the playwright package; .ci/run installs both and
sets GANBENCH_REQUIRE_BROWSER=1, so in CI a missing browser is a failure, not a skip.
"""

import functools
import http.server
import os
import shutil
import threading

import pytest
from typer.testing import CliRunner

from gan_bench.cli import app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not os.path.exists(CHROMIUM):
        if os.environ.get("GANBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail("GANBENCH_REQUIRE_BROWSER=1 but chromium or playwright is missing")
        pytest.skip("needs /usr/bin/chromium (apt install chromium) and playwright (pip install playwright)")
    return sync_playwright


@pytest.fixture
def served_report(suite_run, tmp_path):
    _, runs, _ = suite_run
    result = CliRunner().invoke(app, ["report", str(runs), "--format", "html", "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/r.html"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.slow
def test_report_loads_cleanly_in_headless_chromium(served_report, tmp_path):
    sync_playwright = _browser_or_skip()
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = page.goto(served_report, wait_until="load")
        assert response.status == 200
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.alt])")
        rows = page.eval_on_selector_all("table.comparison tbody tr", "rows => rows.map(r => r.innerText)")
        # a table wider than the window scrolls inside its own box; the page itself never scrolls sideways
        page_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        wide_table = page.evaluate("document.querySelector('table.comparison').scrollWidth")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert page_width <= window_width < wide_table
    assert len(images) == 8
    broken = [alt for complete, width, alt in images if not complete or width == 0]
    assert broken == []
    assert any(r.startswith("keras-mlp") for r in rows) and any(r.startswith("tf-mlp") for r in rows)
