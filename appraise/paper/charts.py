"""The app's charts as PNG pictures for the paper, each stamped with the run's identity.

The charts are `appraise.charts`, exactly as the app draws them; here they are only given a
width (the app stretches them to the page) and a footnote naming the run, then rendered by
vl-convert, which needs no browser and fetches nothing: every chart's data is inline.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt

from appraise.charts import spec
from appraise.model.identity import RunIdentity
from appraise.paper.text import clean_all

# The whole chart, axes, labels, legend and any text beyond its bars included, is at most this
# many CSS pixels wide, and is printed 16 cm (453.5 pt) wide: 0.756 pt a pixel or more, so text
# of FONT pixels prints at 8.3 pt, never less, however long the labels are.
WIDTH = 600
PLOT = 480  # pixels of plotting area to start from; narrowed where labels need the room
MIN_PLOT = 120
# The tallest a chart may be, as a share of its width: 19 cm printed 16 cm wide (an A4 page
# holds it with its heading and caption).
MAX_HEIGHT_RATIO = 19 / 16
MIN_STEP = 12  # pixels a row of a bar chart keeps, at the least
SCALE = 2  # pixels per CSS pixel: sharp when printed at 16 cm wide
FONT = 11  # pixels: every text of a chart in the paper, axis labels to the run's identity
TITLE_FONT = 12
STAMP_COLOUR = "#444444"
LEGEND_COLUMNS = 2
FONTS = {
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT},
    # A legend along the foot wraps after two entries rather than running off the page.
    "legend": {"labelFontSize": FONT, "titleFontSize": FONT, "columns": LEGEND_COLUMNS},
    "title": {"fontSize": TITLE_FONT, "subtitleFontSize": FONT},
    "text": {"fontSize": FONT},
    "header": {"labelFontSize": FONT, "titleFontSize": FONT},
}


def stamped(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = PLOT) -> dict[str, Any]:
    """The chart's Vega-Lite spec with a plotting area `width` CSS pixels wide, its text `FONT`
    pixels or more, and the run's identity along its foot, every string cleaned of characters
    XML cannot hold (vl-convert aborts on them)."""
    chart = spec(figure)
    # The app's room beyond the plot for bar-end labels: the paper's charts leave that room in
    # their scales, and fixed padding would keep a chart wider than the page however far its
    # plot is narrowed.
    chart.pop("padding", None)
    chart.pop("autosize", None)  # the paper sets the plot's width and measures the rest
    chart["width"] = width
    _cap_legend_columns(chart)
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


def _cap_legend_columns(spec: Any) -> None:
    """A legend of the spec set in more than LEGEND_COLUMNS columns (as the app's wide page
    allows) is set in LEGEND_COLUMNS: on a page, its entries side by side are wider than the chart."""
    if isinstance(spec, dict):
        legend = spec.get("legend")
        if isinstance(legend, dict) and legend.get("columns", 0) > LEGEND_COLUMNS:
            legend["columns"] = LEGEND_COLUMNS
        for value in spec.values():
            _cap_legend_columns(value)
    elif isinstance(spec, list):
        for value in spec:
            _cap_legend_columns(value)


def png(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = WIDTH) -> bytes:
    """The chart rendered to PNG, identity stamped (see `stamped`), at most `width` CSS pixels
    wide in all: where its labels make it wider, its plotting area is narrowed by as much and it
    is drawn again (Vega-Lite's "fit" would cut off text beyond the bars instead)."""
    import vl_convert  # a 100 MB engine: loaded only when a paper is made

    chart = stamped(figure, identity)
    for _ in range(4):
        picture = vl_convert.vegalite_to_png(chart, scale=SCALE)
        over = pixel_width(picture) / SCALE - width
        if over <= 0 or chart["width"] <= MIN_PLOT:
            break
        chart["width"] = max(MIN_PLOT, int(chart["width"] - math.ceil(over) - 1))
    # A chart of many rows (a tornado of a dozen inputs) is made shorter where printed 16 cm wide
    # it would not fit a page with its heading: its rows are drawn closer together.
    step = chart.get("height")
    for _ in range(2):
        tall = pixel_height(picture) / SCALE - width * MAX_HEIGHT_RATIO
        if tall <= 0 or not isinstance(step, dict) or "step" not in step:
            break
        # The plot is most of the height: about this many rows.
        rows = max(1.0, pixel_height(picture) / SCALE * 0.8 / step["step"])
        step["step"] = max(MIN_STEP, step["step"] - math.ceil(tall / rows))
        picture = vl_convert.vegalite_to_png(chart, scale=SCALE)
    return picture


def pixel_height(picture: bytes) -> int:
    """A PNG's height in pixels (its header's)."""
    return int.from_bytes(picture[20:24], "big")


def pixel_width(picture: bytes) -> int:
    """A PNG's width in pixels (its header's)."""
    return int.from_bytes(picture[16:20], "big")
