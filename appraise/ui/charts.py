"""The app's charts: those of `appraise.charts`, which the committee paper (`appraise.paper`)
renders too, so the two draw every chart from the same code.

Pages reach them through this module (`charts.break_even_chart(...)`, `charts.spec(figure)`), so a
test can replace `spec`, how a page renders a chart, here for every page at once.
"""

from appraise.charts import *  # noqa: F403  (every chart and legend name, as the pages use them)
