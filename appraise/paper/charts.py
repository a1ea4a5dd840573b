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

WIDTH = 520  # pixels of plotting area: with axis labels, a chart fits a portrait A4 page
SCALE = 2  # pixels per CSS pixel: sharp when printed at 16 cm wide
STAMP_FONT = 9
STAMP_COLOUR = "#444444"


def stamped(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = WIDTH) -> dict[str, Any]:
    """The chart's Vega-Lite spec with a page's width and the run's identity along its foot,
    every string cleaned of characters XML cannot hold (vl-convert aborts on them)."""
    chart = spec(figure)
    chart.setdefault("width", width)
    footnote = {
        "text": identity.text,
        "orient": "bottom",
        "anchor": "start",
        "fontSize": STAMP_FONT,
        "fontWeight": "normal",
        "color": STAMP_COLOUR,
        "offset": 14,
    }
    if "title" in chart:  # keep a chart's own title; the identity goes beneath it
        title = chart["title"]
        footnote = {
            **(title if isinstance(title, dict) else {"text": title}),
            "subtitle": identity.text,
        }
    chart["title"] = footnote
    return clean_all(chart)


def png(figure: alt.TopLevelMixin, identity: RunIdentity, width: int = WIDTH) -> bytes:
    """The chart rendered to PNG, identity stamped (see `stamped`)."""
    import vl_convert  # a 100 MB engine: loaded only when a paper is made

    return vl_convert.vegalite_to_png(stamped(figure, identity, width), scale=SCALE)
