"""The app's charts as PNG pictures for the paper, each stamped with the run's identity.

The charts are `appraise.charts`, exactly as the app draws them; here they are only given a
width (the app stretches them to the page) and a footnote naming the run, then rendered by
vl-convert, which needs no browser and fetches nothing: every chart's data is inline.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from appraise.charts import spec
from appraise.model.identity import RunIdentity
from appraise.paper.text import clean_all

# The whole chart, axes, labels and legend included, is this many CSS pixels wide (Vega-Lite's
# "fit" autosize), and is printed 16 cm (453.5 pt) wide: 0.756 pt a pixel, so text of FONT
# pixels prints at 8.3 pt, never less, however long the labels are.
WIDTH = 600
SCALE = 2  # pixels per CSS pixel: sharp when printed at 16 cm wide
FONT = 11  # pixels: every text of a chart in the paper, axis labels to the run's identity
TITLE_FONT = 12
STAMP_COLOUR = "#444444"
FONTS = {
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT},
    # A legend along the foot wraps after four entries rather than running off the page.
    "legend": {"labelFontSize": FONT, "titleFontSize": FONT, "columns": 4},
    "title": {"fontSize": TITLE_FONT, "subtitleFontSize": FONT},
    "text": {"fontSize": FONT},
    "header": {"labelFontSize": FONT, "titleFontSize": FONT},
}


def stamped(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = WIDTH) -> dict[str, Any]:
    """The chart's Vega-Lite spec `width` CSS pixels wide in all (labels included), its text
    `FONT` pixels or more, and the run's identity along its foot, every string cleaned of
    characters XML cannot hold (vl-convert aborts on them)."""
    chart = spec(figure)
    chart["width"] = width
    chart["autosize"] = {"type": "fit-x", "contains": "padding"}
    config = chart.setdefault("config", {})
    for part, sizes in FONTS.items():
        config[part] = {**config.get(part, {}), **sizes}
    # On three lines (file; hash; version and date): on one it is wider than the chart.
    stamp = [
        f"{identity.file},",
        f"sha256 {identity.sha256},",
        f"appraise {identity.version}, {identity.date:%Y-%m-%d}",
    ]
    footnote = {
        "text": stamp,
        "orient": "bottom",
        "anchor": "start",
        "fontSize": FONT,
        "fontWeight": "normal",
        "color": STAMP_COLOUR,
        "offset": 14,
    }
    if "title" in chart:  # keep a chart's own title; the identity goes beneath it
        title = chart["title"]
        footnote = {
            **(title if isinstance(title, dict) else {"text": title}),
            "subtitle": stamp,
        }
    chart["title"] = footnote
    return clean_all(chart)


def png(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = WIDTH) -> bytes:
    """The chart rendered to PNG, identity stamped (see `stamped`)."""
    import vl_convert  # a 100 MB engine: loaded only when a paper is made

    return vl_convert.vegalite_to_png(stamped(figure, identity, width), scale=SCALE)
