"""Tests that need a real component fail, not skip, under CI=true when it is missing."""

from __future__ import annotations

import pytest

from tests import conftest


def test_a_missing_component_fails_under_ci(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="no-such-program-appraise is not installed"):
        conftest.require_tool("no-such-program-appraise", "/nonexistent/no-such-program-appraise")


def test_a_missing_component_skips_outside_ci(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        conftest.require_tool("no-such-program-appraise")


def test_a_present_component_is_found():
    assert conftest.require_tool("sh").endswith("/sh")
