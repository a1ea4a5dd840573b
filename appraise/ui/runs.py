"""Runs of the core for the app, cached on the portfolio's file data (as canonical JSON text).

Each returns what the matching CLI command prints with `--format json`, computed by the same
function (`appraise.analyses`: uncertainty, forecast, verify, track), so a page only lays it out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from appraise.analyses import breakeven
from appraise.analyses.forecast import forecast_data, price_levers, with_portfolio
from appraise.analyses.options import evaluation_data
from appraise.analyses.track import track
from appraise.analyses.uncertainty import sensitivity, uncertain_params
from appraise.analyses.verify import verify
from appraise.analyses.voi import simulation_with_information
from appraise.engine.params import Model
from appraise.engine.results import Appraisal, appraise_portfolio
from appraise.errors import InputError
from appraise.model.files import (
    ActualsFile,
    actuals_from_csv,
    actuals_from_yaml,
    claims_from_text,
)
from appraise.model.limits import check_draws, check_uncertain
from appraise.model.load import portfolio_from_data
from appraise.model.schema import Portfolio


@dataclass(frozen=True)
class Evaluation:
    """One run of a portfolio: the appraisal and its JSON (as `appraise evaluate --format json`)."""

    appraisal: Appraisal
    results: dict[str, Any]


def canonical(data: Any) -> str:
    """The cache key for file data: JSON in the data's own key order (0.1 ms; YAML takes 10)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@st.cache_data(max_entries=64, show_spinner=False)
def evaluate(key: str, name: str) -> Evaluation:
    """Validate and appraise the portfolio whose file data is the JSON text `key`."""
    appraisal = appraise_portfolio(portfolio_from_data(json.loads(key), name))
    return Evaluation(appraisal, evaluation_data(appraisal))


@st.cache_data(max_entries=64, show_spinner=False)
def success_rate_curve(key: str, name: str, index: int) -> pd.DataFrame:
    """Net savings of one intervention over a range of success rates (`analyses.breakeven`)."""
    record = evaluate(key, name).results["interventions"][index]
    return breakeven.success_rate_curve(json.loads(key), name, index, record)


# ---------------------------------------------------------------------------------------------
# The pages that compute only when open: each cached on the portfolio's data and its own inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """A run over a user's file: its JSON data, or the problems with the file (one line each,
    exactly as the CLI prints them), and what the file's own `portfolio:` line names."""

    data: dict[str, Any] | None
    problems: tuple[str, ...] = ()
    names: str | None = None


def _model(key: str, name: str) -> Model:
    return evaluate(key, name).appraisal.model


@st.cache_data(max_entries=32, show_spinner=False)
def simulation(key: str, name: str, draws: int, seed: int) -> dict[str, Any]:
    """`appraise simulate --draws N --seed S --voi --format json` of the portfolio `key`: the
    value of information and acceptability by budget come from the same draws, when keeping them
    fits the work budget (else `voi_skipped` says why)."""
    model = _model(key, name)
    check_draws(draws, len(model.ids), "Draws")
    check_uncertain(name, len(uncertain_params(model)), len(model.ids))
    return simulation_with_information(model, draws, seed, "Draws", skip=True)


@st.cache_data(max_entries=32, show_spinner=False)
def tornadoes(key: str, name: str) -> dict[str, Any]:
    """`appraise sensitivity --format json` of the portfolio `key`."""
    model = _model(key, name)
    check_uncertain(name, len(uncertain_params(model)), len(model.ids), sensitivity=True)
    return sensitivity(model).to_data()


@st.cache_data(max_entries=32, show_spinner=False)
def forecast(key: str, name: str) -> Checked:
    """`appraise forecast --format json` (with the portfolio) and, if the baseline has levers,
    `appraise levers --format json` under "levers"; no data when there is no baseline."""
    model = _model(key, name)
    baseline = model.portfolio.baseline
    if baseline is None:
        return Checked(None)
    try:
        comparison = with_portfolio(model.portfolio, model.evidence, file=name)
    except InputError as error:
        return Checked(None, tuple(str(p) for p in error.problems))
    levers = price_levers(baseline) if baseline.levers else None
    return Checked({**forecast_data(baseline, comparison), "levers": levers})


def _claims(text: bytes, file: str, portfolio: Portfolio) -> tuple[dict[str, Any], str | None]:
    claims = claims_from_text(text, file)
    return verify(claims, portfolio).to_data(), claims.portfolio


def actuals_of(file: str, text: bytes) -> ActualsFile:
    """An actuals file's content: CSV if `file` ends in .csv, YAML otherwise (as `appraise
    track` reads them)."""
    read = actuals_from_csv if file.lower().endswith(".csv") else actuals_from_yaml
    return read(text, file)


def _actuals(text: bytes, file: str, portfolio: Portfolio) -> tuple[dict[str, Any], str | None]:
    actuals = actuals_of(file, text)
    tracked = track(actuals, portfolio)
    return {**tracked.to_data(), "rows": tracked.rows()}, actuals.portfolio


CHECKS = {"claims": _claims, "actuals": _actuals}


@st.cache_data(max_entries=16, show_spinner=False)
def checked(kind: str, key: str, name: str, text: bytes, file: str) -> Checked:
    """A claims or actuals file (`text`, named `file`) against the open portfolio: for claims
    `appraise verify FILE --portfolio P --format json`; for actuals `appraise track FILE
    --portfolio P --format json` plus its table rows (`Tracking.rows()`) under "rows". Actuals
    are CSV if `file` ends in .csv, YAML otherwise, as `appraise track` reads them."""
    try:
        data, names = CHECKS[kind](text, file, _model(key, name).portfolio)
    except InputError as error:
        return Checked(None, tuple(str(p) for p in error.problems))
    return Checked(data, names=names)
