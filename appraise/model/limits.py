"""The work budget: an upper bound on every count that drives a loop or an allocation, and on
every number a file may give, each far above any real figure and saying why it is generous.

A file from a partner may ask for anything: a million years of benefit, a unit cost of 1e308, a
list of a billion interventions. Bounded here, the work a file can cause is bounded, and every
product of inputs the engine forms stays a finite float (the largest, reach x unit cost x years,
is below 1e20, against a float's 1.8e308). The schema (`appraise.model.schema`, `.baseline`,
`.files`) declares each field with these; `appraise.model.reading` and `.yamltext` apply the
file limits before anything is parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appraise.errors import InputError

if TYPE_CHECKING:
    from appraise.model.numbers import Domain

# ---------------------------------------------------------------------------------------------
# Files (see appraise.model.reading and appraise.model.yamltext, where they are explained)
# ---------------------------------------------------------------------------------------------

# YAML and CSV files. The Thurrock example is 3 KiB; 20,000 interventions, the most a portfolio
# may hold, take about 6 MiB in the compact form `benchmarks/load.py` writes.
MAX_FILE_BYTES = 10 * 2**20
# YAML nodes (values, lists and mappings). A compact intervention takes about 40 and one written
# out in full about 60, so 20,000 interventions need at most 1.2 million; 2 million parse in
# about 3 s, which bounds the parse time of any file.
MAX_NODES = 2_000_000
# Nodes that YAML aliases add when expanded: a file may reuse a block a few times, never a
# million times (a "billion laughs" file asks for a billion).
MAX_ALIAS_NODES = 1_000_000
# YAML nesting depth. A portfolio nests 6 deep (interventions, an intervention, evidence, its
# sources, a source); 50 keeps every recursive step after parsing (validation, messages, JSON)
# far below Python's recursion limit. libyaml itself stops at 1,000.
MAX_DEPTH = 50

# Problems reported for one CSV file: a file with more is the wrong file; say so rather than list
# each of its rows.
MAX_PROBLEMS = 100

# ---------------------------------------------------------------------------------------------
# Counts that drive loops and allocations
# ---------------------------------------------------------------------------------------------

# Interventions in a portfolio. A council's prevention portfolio has a handful (Thurrock: 5);
# generated portfolios and the benchmarks go to 10,000. The core is vectorised over them.
MAX_INTERVENTIONS = 20_000
# Interventions in one workbook (`appraise export`, the app's download). A workbook is for auditing
# cell by cell: Calculations gives each intervention a column (Excel stops at 16,384) and Cash
# flows about 52 rows (Excel stops at 1,048,576); 2,000 take 50 s and 1.2 GB to export here and
# 170 MiB of sheet XML, so 5,000 stay within what import-xlsx reads back (512 MiB) and every
# workbook written opens in Excel. A larger portfolio is evaluated, simulated and reported as
# any other, only not written cell by cell.
MAX_WORKBOOK_INTERVENTIONS = 5_000
# Intervention-years in one workbook: its cells grow with interventions x horizon (a year of cash
# flows each, and the formula check over them). 1,000 interventions over 30 years make 3.5 million
# cells, about 50 s and 2.5 GB to export here; 5,000 over 60 years would make ten times that, more
# than a shared machine should be asked for. 5,000 over 6 years, or 1,000 over 30, are within it.
MAX_WORKBOOK_INTERVENTION_YEARS = 30_000
# Years of an appraisal. HM Treasury's Green Book discounts over up to 60 years for long-lived
# assets; a prevention programme is appraised over 1 to 10.
MAX_HORIZON_YEARS = 60
# Years each averted outcome keeps saving: a childhood is 18 years; 100 is a lifetime. The
# timeline loops over these years (flows after the horizon are dropped).
MAX_BENEFIT_YEARS = 100.0
# Annual cohorts started (0: one every year). More cohorts than horizon years changes nothing.
MAX_COHORTS = 100
# Monte Carlo draws (`simulate --draws`). The default is 10,000 and the benchmark runs 1,000,000
# (2 s for 20 interventions); at 10 million the standard error of a probability is 0.02%.
MAX_DRAWS = 10_000_000
# Draws when none are asked for (the CLI and the app): P(NPV > 0) to within 0.5% (one s.e.).
DEFAULT_DRAWS = 10_000
# Draws x interventions in one simulation: the benchmark's 1,000,000 x 20 takes about 2 s, so
# 200 million (ten times it) takes about 20 s; more is a batch job, not an appraisal.
MAX_DRAW_CELLS = 200_000_000
# The value of information keeps every draw (each uncertain input, and three figures of each
# intervention): at most this many numbers, 256 MiB (100,000 draws of 20 interventions and 40
# inputs take 10 million).
MAX_KEPT_CELLS = 2**25
# Named groups of inputs for the value of information, and inputs in one group: a group is one
# least-squares fit over its inputs, their pairs and triples (docs/value-of-information.md).
MAX_VOI_GROUPS = 100
MAX_VOI_GROUP_INPUTS = 100
MAX_SEED = 2**64 - 1
# Inputs given as a range or a distribution in one simulation or sensitivity run. The Monte Carlo
# benchmark varies 39, the Thurrock example 12; a tornado of a thousand bars is more than anyone
# reads.
MAX_UNCERTAIN_INPUTS = 1_000
# Uncertain inputs x interventions in a sensitivity run: each input is solved for against every
# intervention it feeds and the total; 400 inputs over 200 interventions (80,000) take 10 s here.
MAX_SENSITIVITY_CELLS = 100_000
# Mutually exclusive options compared in one portfolio (docs/options.md). A board paper weighs a
# handful; the workbook's check that the ranking still holds is one AND of 2 x (options - 1)
# comparisons, within Excel's 255 arguments. An option funds at most MAX_INTERVENTIONS.
MAX_OPTIONS = 100
# Outcomes a portfolio prices, and the components of one outcome's cost.
MAX_OUTCOMES = 1_000
MAX_COMPONENTS = 100
MAX_EFFECTS = 20  # outcomes one intervention averts
MAX_STAFF = 200  # staff lines of one intervention
MAX_PLACEMENTS = 1_000  # placement types and prices of a portfolio
# Sources one intervention or outcome cites, and evidence entries a portfolio adds.
MAX_SOURCES = 100
MAX_EVIDENCE = 10_000
# Figures an evidence entry records from its source (a study reports tens).
MAX_FIGURES = 1_000
# Claims in a claims file, and assumptions in one list. A business case states tens of figures,
# and each claim that does not hold is back-solved for every input.
MAX_CLAIMS = 1_000
MAX_ASSUMPTIONS = 100
# Rows of an actuals file: 20,000 interventions for 5 years of months would still fit.
MAX_ACTUALS = 1_000_000
# Scenarios and levers of a baseline (Thurrock: 3 and 3).
MAX_SCENARIOS = 100
MAX_LEVERS = 100

# ---------------------------------------------------------------------------------------------
# Numbers: the limits of each kind of input (see numbers.Domain: natural bounds, and a limit)
# ---------------------------------------------------------------------------------------------

MAX_CASES = 1e8
CASES_WHY = "more people than live in the UK"
# Money for one case, one outcome, or a service's whole year.
MAX_UNIT_COST = 1e9
UNIT_COST_WHY = "£1 billion for one case or outcome"
MAX_TOTAL_COST = 1e11
TOTAL_COST_WHY = "£100 billion a year for one service"
MAX_WEEKLY_COST = 1e7
WEEKLY_COST_WHY = "£10 million a week"
# Outcomes averted per case: STEPS averts 2.4 incidents a place.
MAX_PER_CASE = 1e3
PER_CASE_WHY = "a thousand outcomes averted for each case served"
# Ratios of risks or odds between the treated and the untreated.
MAX_RATIO = 1e6
RATIO_WHY = "a million times the risk or odds"
# Cohen's d: effects in social care trials are below 1 standard deviation.
MAX_COHENS_D = 10.0
COHENS_D_WHY = "ten standard deviations"
# Months: a cohort's cost, or the lag before its savings. 1,200 months is 100 years.
MAX_MONTHS = 1200.0
MONTHS_WHY = "100 years"
# A cohort's cost is spent over at least a month. The timeline works in months from each
# cohort's start: a shorter spend lands in the same year, and a vanishing one (1e-15 months)
# loses cost to rounding (four of MST's five years of cost, once).
MIN_COST_MONTHS = 1.0
# Children in care per 10,000 children: at most every child.
MAX_RATE_PER_10K = 10_000.0

WEEKS_A_YEAR = 52.18  # 365.25 / 7
MAX_FTE = 1e5
MAX_SALARY = 1e7
MAX_UNITS = 1e6
MAX_PER_COSTED_CASE = 1e3


def _domains() -> dict[str, Domain]:
    # Made on first use (see __getattr__): numbers.Domain brings pydantic, which a command that
    # only checks its arguments (`appraise report --bogus`, `--help`) has no need to load.
    from appraise.model.numbers import Domain

    return {
        "CASES": Domain(0.0, limit=MAX_CASES, why=CASES_WHY),
        "UNIT_COST": Domain(0.0, limit=MAX_UNIT_COST, why=UNIT_COST_WHY),
        "TOTAL_COST": Domain(0.0, limit=MAX_TOTAL_COST, why=TOTAL_COST_WHY),
        "WEEKLY_COST": Domain(0.0, limit=MAX_WEEKLY_COST, why=WEEKLY_COST_WHY),
        "PER_CASE": Domain(0.0, limit=MAX_PER_CASE, why=PER_CASE_WHY),
        "RATIO": Domain(0.0, limit=MAX_RATIO, why=RATIO_WHY),
        "POSITIVE_RATIO": Domain(0.0, lo_open=True, limit=MAX_RATIO, why=RATIO_WHY),
        "COHENS_D": Domain(limit=MAX_COHENS_D, why=COHENS_D_WHY),
        "PROBABILITY": Domain(0.0, 1.0),
        "DISCOUNT_RATE": Domain(0.0, 1.0, hi_open=True),  # a rate a year, below 100%
        # A share of a whole that must leave a remainder.
        "SHARE": Domain(0.0, 1.0, hi_open=True),
        "WEEKS": Domain(0.0, WEEKS_A_YEAR),
        "COST_MONTHS": Domain(MIN_COST_MONTHS, limit=MAX_MONTHS, why=MONTHS_WHY),
        "LAG_MONTHS": Domain(0.0, limit=MAX_MONTHS, why=MONTHS_WHY),
        "FTE": Domain(0.0, limit=MAX_FTE, why="100,000 full-time staff in one service"),
        "SALARY": Domain(0.0, limit=MAX_SALARY, why="£10 million a year for one post"),
        # Employer's costs as a share of salary, below 100%.
        "ON_COSTS": Domain(0.0, 1.0, hi_open=True),
        "UNITS": Domain(0.0, limit=MAX_UNITS, why="a million weeks or contacts in one change"),
        "PER_COSTED_CASE": Domain(
            0.0, lo_open=True, limit=MAX_PER_COSTED_CASE, why="a thousand people in one costed case"
        ),
        "BENEFIT_YEARS": Domain(0.0, lo_open=True, limit=MAX_BENEFIT_YEARS, why="a lifetime"),
        "RATE_PER_10K": Domain(0.0, limit=MAX_RATE_PER_10K, why="every child"),
    }


def __getattr__(name: str) -> Any:
    """The input domains above (`limits.CASES`, ...), made once, when first asked for."""
    # Dunder names (`__path__`, asked for by every `from limits import ...`) never build them.
    if "CASES" not in globals() and not name.startswith("__"):
        globals().update(_domains())
    if name in globals():
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_draws(draws: int, interventions: int, where: str = "--draws") -> None:
    """InputError unless a simulation of `draws` over `interventions` fits the work budget."""
    if draws > MAX_DRAWS:
        raise InputError.one(where, "", f"at most {MAX_DRAWS:,} draws", draws)
    if draws * interventions > MAX_DRAW_CELLS:
        raise InputError.one(
            where,
            "",
            f"{draws:,} draws x {interventions:,} interventions is more than the "
            f"{MAX_DRAW_CELLS:,} a simulation may run; use at most "
            f"{MAX_DRAW_CELLS // max(interventions, 1):,} draws",
            draws,
        )


def check_workbook(file: str, interventions: int, horizon: object = None) -> None:
    """InputError unless a workbook of `interventions` interventions over `horizon` years (when
    it is a whole number: the schema refuses anything else later) is within the bounds above."""
    if (
        isinstance(horizon, int)
        and not isinstance(horizon, bool)
        and interventions <= MAX_WORKBOOK_INTERVENTIONS
        and interventions * horizon > MAX_WORKBOOK_INTERVENTION_YEARS
    ):
        raise InputError.one(
            file,
            "horizon_years",
            f"{interventions:,} interventions over {horizon:,} years is more than the "
            f"{MAX_WORKBOOK_INTERVENTION_YEARS:,} intervention-years a workbook holds (its cells "
            "grow with both): evaluate, simulate or report it instead, export a part of it, or "
            f"over at most {MAX_WORKBOOK_INTERVENTION_YEARS // max(interventions, 1):,} years",
            horizon,
        )
    if interventions > MAX_WORKBOOK_INTERVENTIONS:
        raise InputError.one(
            file,
            "interventions",
            f"holds {interventions:,} interventions; a workbook holds at most "
            f"{MAX_WORKBOOK_INTERVENTIONS:,} (one column each on Calculations, and a workbook "
            "Excel opens and import-xlsx reads back): evaluate, simulate or report it instead, "
            "or export a part of it",
        )


def check_kept(draws: int, inputs: int, interventions: int, where: str = "--draws") -> None:
    """InputError unless keeping every draw (for the value of information) fits in memory."""
    columns = inputs + 3 * interventions
    if draws * columns > MAX_KEPT_CELLS:
        raise InputError.one(
            where,
            "",
            f"the value of information keeps every draw: {draws:,} draws x {columns:,} figures "
            f"is more than the {MAX_KEPT_CELLS:,} it may keep; use at most "
            f"{MAX_KEPT_CELLS // max(columns, 1):,} draws",
            draws,
        )


def check_uncertain(file: str, inputs: int, interventions: int, sensitivity: bool = False) -> None:
    """InputError unless a simulation (or a sensitivity run) over `inputs` uncertain inputs and
    `interventions` interventions fits the work budget."""
    if inputs > MAX_UNCERTAIN_INPUTS:
        raise InputError.one(
            file,
            "",
            f"{inputs:,} inputs are given as a range or distribution; a simulation or sensitivity "
            f"run takes at most {MAX_UNCERTAIN_INPUTS:,}",
        )
    if sensitivity and inputs * interventions > MAX_SENSITIVITY_CELLS:
        raise InputError.one(
            file,
            "",
            f"{inputs:,} uncertain inputs over {interventions:,} interventions is more than a "
            f"sensitivity run takes ({MAX_SENSITIVITY_CELLS:,} input-interventions)",
        )
