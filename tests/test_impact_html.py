"""The HTML page of `kader impact`, opened in headless Chromium: the charts are drawn, nothing is fetched.

Chromium is Debian's `chromium` package; CI installs it (`.ci/run`). Without it this test fails, it does
not skip: a page nobody has seen rendered is not done.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.test_impact import RULE, RULES, money_scheme, random_households, set_percentage, write_jsonl
from views.impact_html import LEVEL_COLOURS, MORE

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars", "--window-size=1000,2600"]

# Appended to a copy of the page: measures every chart as laid out, and records every resource the page
# loaded and every request the Content-Security-Policy refused.
MEASURE = """<script>
const violations = [];
document.addEventListener("securitypolicyviolation", e => violations.push(e.blockedURI));
const charts = [...document.querySelectorAll("svg.chart")].map(svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll("rect")].map(r => r.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const bars = {};
  for (const seg of svg.querySelectorAll("rect.seg")) {
    const key = seg.dataset.gemeente + " " + seg.dataset.side;
    bars[key] = (bars[key] || 0) + seg.getBoundingClientRect().width;
  }
  return {kind: svg.getAttribute("class"), width: box.width, height: box.height, shapes: shapes.length, bars};
});
const pre = document.createElement("pre");
pre.id = "measure";
const laws = [...document.querySelectorAll("a.wet")].map(a => ({href: a.href, text: a.textContent,
  row: a.closest("tr") ? a.closest("tr").textContent : "", width: a.getBoundingClientRect().width}));
pre.textContent = JSON.stringify({charts, violations, laws,
  resources: performance.getEntriesByType("resource").map(r => r.name)});
document.body.appendChild(pre);
</script>"""


def chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    assert CHROMIUM.exists(), ("Chromium is missing: install Debian's chromium package (apt-get install -y chromium); "
                               ".ci/run does this before the tests")
    return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={user_data}", *args], capture_output=True,
                          text=True, timeout=120)


def png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    rows, previous, stride = [], bytearray(width * size), width * size
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - size] if x >= size else 0
            up = previous[x]
            corner = previous[x - size] if x >= size else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows, size


def count_colour(rows: list[bytes], size: int, colour: str) -> int:
    target = bytes.fromhex(colour.lstrip("#"))
    total = 0
    for row in rows:
        for i in range(0, len(row), size):
            if all(abs(row[i + c] - target[c]) <= 3 for c in range(3)):
                total += 1
    return total


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The impact page of a proposal that changes Soest's minima scheme and a Wmo rule, over 200 households."""
    work = tmp_path_factory.mktemp("html")
    proposal = work / "rules"
    shutil.copytree(RULES, proposal)
    name, scheme = money_scheme(proposal / "gemeenten" / "soest.yaml")
    set_percentage(proposal / "gemeenten" / "soest.yaml", name, Decimal(str(scheme["percentage"])) + 20)
    (proposal / "wmo" / "voorstel.yaml").write_text(RULE.format(age=70), encoding="utf-8")
    population = write_jsonl(work / "huishoudens.jsonl", random_households(200, seed=5))
    out = work / "impact.html"
    result = CliRunner().invoke(app, ["impact", "--base", str(RULES), "--proposal", str(proposal), str(population),
                                      "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_page_is_self_contained(page):
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", html)
    # the only addresses are links to the law a reader may follow (a navigation, never a request of the page)
    hrefs = re.findall(r"""<(\w+)[^>]*\shref\s*=\s*["']?([^"' >]+)""", html)
    assert hrefs and all(tag == "a" and url.startswith("https://wetten.overheid.nl/jci1.3:c:BWBR") for tag, url in hrefs)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for chart in ("ladder", "rights", "amounts", "kinds"):
        assert f'<svg class="chart {chart}"' in html


def test_chromium_draws_the_charts_with_real_sizes_and_makes_no_request(page, tmp_path):
    measured = tmp_path / "measured.html"
    html = page.read_text(encoding="utf-8")
    html = html.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    measured.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    result = chromium("--virtual-time-budget=3000", "--dump-dom", measured.as_uri(), user_data=tmp_path / "profile")
    found = re.search(r'<pre id="measure">(.*?)</pre>', result.stdout, re.S)
    assert found, f"Chromium did not render the page: {result.stderr[-2000:]}"
    data = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert data["resources"] == [] and data["violations"] == []
    charts = {c["kind"].split()[-1]: c for c in data["charts"]}
    assert set(charts) == {"ladder", "rights", "amounts", "kinds"}
    for chart in charts.values():
        assert chart["width"] > 500 and chart["height"] > 40 and chart["shapes"] >= 1, chart
    bars = charts["ladder"]["bars"]  # before and after for each municipality, segments summed
    assert set(bars) == {f"{g} {side}" for g in ("baarn", "bunschoten", "soest") for side in ("before", "after")}
    widths = list(bars.values())
    assert min(widths) > 400 and max(widths) - min(widths) < 1  # every stacked bar is a full 100%
    # issue 11 item 2: every rule and parameter the page names links to its article on wetten.overheid.nl, in the
    # version in force on the cases' peildatum (2026-03-01): the new rule cites Wmo 2015 art. 2.3.5 lid 3
    wmo = "https://wetten.overheid.nl/jci1.3:c:BWBR0035362&artikel=2.3.5&lid=3&z=2026-03-01&g=2026-03-01"
    rows = [law for law in data["laws"] if "wmo.voorstel.partner_hoogbejaard" in law["row"]]
    assert rows and any(law["href"] == wmo and law["text"] == "Wmo 2015 art. 2.3.5 lid 3" for law in rows)
    assert all(law["width"] > 20 for law in data["laws"])  # drawn, not hidden
    # the Jeugdsportfonds is a fund of third parties, not bijstand: its legal basis cites no statute, so no link
    assert not [law for law in data["laws"] if "jeugdsportfonds" in law["row"]]


def test_a_parameter_and_a_criterion_link_to_their_articles(framework):
    """engine.tools.impact_links over a report naming a parameter, a criterion and a rule: Wmo 2015 art. 2.1.4a lid 4
    (abonnementstarief), Participatiewet art. 19 lid 1 (criterion inkomen_onder_norm), on the report's peildatum."""
    import datetime as dt

    from engine.tools.impact_links import impact_links
    report = {"by_parameter": {"abonnementstarief": 2}, "by_criterion": {"algemene_bijstand.inkomen_onder_norm": 1},
              "by_rule": {"werk_inkomen.pw.gezamenlijke_huishouding_vermoed": 1}, "changes": [], "names": {}}
    links = impact_links(framework, framework, report, dt.date(2025, 7, 1))
    urls = {ident: [r["url"] for r in entry["references"]] for ident, entry in links.items()}
    assert "https://wetten.overheid.nl/jci1.3:c:BWBR0035362&artikel=2.1.4a&lid=4&z=2025-07-01&g=2025-07-01" in urls[
        "abonnementstarief"]
    assert any("BWBR0015703&artikel=19&lid=1" in u for u in urls["algemene_bijstand.inkomen_onder_norm"])
    assert any("BWBR0015703&artikel=3" in u for u in urls["werk_inkomen.pw.gezamenlijke_huishouding_vermoed"])


def test_the_screenshot_shows_the_bars_in_their_colours(page, tmp_path):
    shot = tmp_path / "shot.png"
    result = chromium(f"--screenshot={shot}", page.as_uri(), user_data=tmp_path / "profile")
    assert shot.exists(), result.stderr[-2000:]
    width, height, rows, size = png_pixels(shot)
    assert (width, height) == (1000, 2600)
    assert count_colour(rows, size, LEVEL_COLOURS[3]) > 2000  # maatwerk (level 3) in the ladder bars
    assert count_colour(rows, size, LEVEL_COLOURS[0]) > 2000  # eigen kracht (level 0)
    assert count_colour(rows, size, MORE) > 300  # the bars of households better off
