"""Charts of the results page, drawn on the server as SVG by pygal.

The page never needs JavaScript: each chart is an inline SVG with a title for screen readers,
and the same numbers are in the table beside it. pygal's own tooltip script is not loaded
(`js=[]`) and its inline configuration script is removed, so no script runs on the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pygal
from pygal.style import Style

from bot.services.results import Funnel

STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a",
              foreground_strong="#1a1a1a", foreground_subtle="#5a5a5a",
              colors=("#0b4f9c", "#1e6b34", "#7a2e8c", "#a14a00", "#4a4a4a"),
              font_family="system-ui, sans-serif", label_font_size=13,
              major_label_font_size=13, legend_font_size=13, title_font_size=15)
_COMMON = {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 720,
           "height": 320, "print_values": False, "show_y_guides": True}
STAGE_NAMES = {"enrolled": "Enrolled", "reached": "Reached", "replied": "Replied",
               "success": "Success"}


#: pygal writes its tooltip configuration into every SVG as an inline script; the page runs
#: no script, so it is dropped.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def _svg(chart: pygal.graph.graph.Graph) -> str:
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))


def funnel_chart(f: Funnel) -> str:
    chart = pygal.HorizontalBar(title="Funnel: enrolled → reached → replied → success",
                                show_legend=False, **_COMMON)
    chart.x_labels = [STAGE_NAMES[s] for s in reversed(Funnel.STAGES)]
    chart.add("Patients", [getattr(f, s) for s in reversed(Funnel.STAGES)])
    return _svg(chart)


def rates_chart(title: str, rows: Sequence[tuple[str, Funnel]]) -> str:
    chart = pygal.Bar(title=title, range=(0, 100), value_formatter=lambda v: f"{v:.0f}%",
                      **_COMMON)
    chart.x_labels = [name for name, _ in rows]
    for stage in ("reached", "replied", "success"):
        chart.add(f"{STAGE_NAMES[stage]} %", [round(100 * f.rate(stage), 1) for _, f in rows])
    return _svg(chart)


def trend_chart(weeks: Sequence[tuple[date, Funnel]]) -> str:
    chart = pygal.Line(title="Weekly trend (week starting)", range=(0, 100),
                       value_formatter=lambda v: f"{v:.0f}%", **_COMMON)
    chart.x_labels = [monday.isoformat() for monday, _ in weeks]
    for stage in ("reached", "replied", "success"):
        chart.add(f"{STAGE_NAMES[stage]} %", [round(100 * f.rate(stage), 1) for _, f in weeks])
    return _svg(chart)
