"""The starter portfolio `appraise new` writes and the app's "New portfolio" opens.

One intervention, one outcome, and the council's own assumptions in place of citations: it
validates and evaluates as it stands, and each comment says what to change. The figures are
placeholders, marked `assumed` by "your council", not estimates of any service.
"""

from __future__ import annotations

STARTER = """\
# A starter portfolio: replace each figure with your own and say where it comes from.
# Check it with `appraise validate FILE`, appraise it with `appraise evaluate FILE`.
# The full format: docs/file-format.md; where figures come from: docs/provenance.md.
portfolio: My invest-to-save case
price_year: 2024-25          # the financial year the money figures are in

outcomes:
  lac_year:                  # a short key of your choosing: an intervention `averts` it
    name: A child looked after for a year
    unit: child-years
    components:
      - name: care
        cost:
          # Money may be written 60000, 60,000 or "£60,000" (quote it inside { }).
          value: 60,000
          # Your own figure needs no citation: say whose judgement it is and why.
          assumed:
            by: Your council
            why: the average cost of a year in care in our placements data (replace)
        cashable: true       # a saving the budget releases in cash

interventions:
  - id: my-service           # lower case letters, digits and dashes
    name: My service
    category: edge_of_care   # edge_of_care | repeat_removal | dv_victims | dv_perpetrators | parenting | other
    averts: lac_year
    reach:
      count: 200             # cases a year
    unit_cost:
      amount: £3,000         # the cost of one case
      per: family
    effect:
      # Care entry falls from 12% to 8% of the cases served.
      baseline_risk:
        value: 0.12
        assumed: {by: Your council, why: the share entering care without the service (replace)}
      treated_risk:
        value: 0.08
        assumed: {by: Your council, why: the share expected with it (replace)}
    evidence:
      # NL2: no evidence meets the Guidebook's level 2, so no source is needed. With a study,
      # give its rating and `sources: [its-id]`, and add it under `evidence:` below.
      rating: NL2

# Your own sources, keyed by id (the id is the key), e.g.:
# evidence:
#   my-evaluation:
#     authors: Smith, J.
#     year: 2024
#     title: Evaluation of My service
#     publisher: Your council
#     country: UK
#     type: evaluation
#     found: what it found, in a sentence
"""
