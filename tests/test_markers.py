"""The suite's own contract: marked tests skip without their service, and fail in CI."""

import pytest

from tests.processes import ROOT

pytest_plugins = ["pytester"]

MARKED_TEST = """
import pytest

@pytest.mark.compose
def test_needs_compose():
    pass
"""


@pytest.fixture
def marked_suite(pytester, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no docker-compose to be found
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.conftest import pytest_runtest_setup  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    compose: needs docker-compose\n")
    pytester.makepyfile(test_marked=MARKED_TEST)
    return pytester


def test_marked_test_skips_with_reason_without_its_service(marked_suite, monkeypatch):
    monkeypatch.delenv("ALLIANCE_REQUIRE_SERVICES", raising=False)

    result = marked_suite.runpytest_subprocess("-rs", "-p", "no:django", "-p", "no:playwright")

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*compose: needs the docker-compose client*"])


def test_marked_test_fails_without_its_service_when_required(marked_suite, monkeypatch):
    monkeypatch.setenv("ALLIANCE_REQUIRE_SERVICES", "1")

    result = marked_suite.runpytest_subprocess("-p", "no:django", "-p", "no:playwright")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*compose: needs the docker-compose client*(required here)*"])
