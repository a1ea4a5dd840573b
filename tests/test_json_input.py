"""A `.json` portfolio is read by `json.loads` (appraise.model.yamltext.parse_json) to the data the
YAML path reads from the same text, and refused as the YAML path refuses it: file, where, value,
exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appraise.errors import InputError
from appraise.model import yamltext
from appraise.model.limits import MAX_DEPTH
from appraise.model.yamltext import parse_json, parse_yaml, parse_yaml_node
from tests.test_bad_input import rejected

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_json_reads_to_the_data_yaml_reads(example):
    data = parse_yaml(example.read_bytes(), str(example))
    text = json.dumps(data, default=str, indent=2)
    assert parse_json(text, "x.json") == parse_yaml_node(text, "x.yaml")[1] == json.loads(text)


def test_json_name_goes_to_json_loads(monkeypatch):
    calls = []
    monkeypatch.setattr(yamltext, "parse_yaml_node", lambda *a: calls.append(a) or (None, None))
    assert parse_yaml('{"a": [1, 2.5, true, null, "x"]}', "p.JSON") == {
        "a": [1, 2.5, True, None, "x"]
    }
    assert calls == []  # the YAML path was not taken


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"portfolio": "a",\n "portfolio": "b"}', "line 2: duplicate key 'portfolio'"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nests deeper than {MAX_DEPTH} levels"),
        ("[" * 5000 + "]" * 5000, "exceeded maximum nesting depth"),  # libyaml, as for YAML
        ('{"a": 1 "b": 2}', "YAML does not parse"),
        ("", "file is empty"),
        ('{"a": "\\ud800"}', "YAML does not parse"),  # a lone surrogate, as YAML refuses it
        ('{"a": "\x07"}', "is not allowed (a control character)"),
    ],
)
def test_json_refusals_are_the_yaml_refusals(text, expected):
    with pytest.raises(InputError) as json_error:
        parse_json(text, "p.json")
    with pytest.raises(InputError) as yaml_error:
        parse_yaml_node(text, "p.json")
    assert expected in str(json_error.value)
    assert str(json_error.value) == str(yaml_error.value)


def test_json_nodes_are_bounded(monkeypatch):
    monkeypatch.setattr(yamltext, "MAX_NODES", 10)
    with pytest.raises(InputError, match="more than 10 values"):
        parse_json(json.dumps({"a": list(range(8))}), "p.json")  # 11: a mapping, key, list, 8
    assert parse_json(json.dumps({"a": list(range(7))}), "p.json") == {"a": list(range(7))}


def test_nan_in_json_is_text_a_number_field_refuses(tmp_path):
    example = parse_yaml((ROOT / "examples" / "thurrock-2017.yaml").read_bytes(), "t.yaml")
    text = json.dumps(example, default=str).replace('"horizon_years": 5', '"horizon_years": NaN')
    assert '"horizon_years": NaN' in text
    path = tmp_path / "portfolio.json"
    path.write_text(text)
    rejected(path, f"{path}: horizon_years", "NaN")


def test_duplicate_key_in_a_json_portfolio_is_refused(tmp_path):
    path = tmp_path / "portfolio.json"
    path.write_text('{"portfolio": "a",\n"portfolio": "b", "price_year": 2017}')
    rejected(path, f"{path}: line 2: duplicate key 'portfolio'")
