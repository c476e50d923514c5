"""The mutation-testing scripts: which tests judge a mutant, and the accepted list they read."""

from __future__ import annotations

from scripts.mutation_recheck import DECLARATION_TESTS, selection_for
from scripts.mutation_score import accepted, function_of

STATS = {
    "dashboards.gpu_fleet.x_build": [
        "tests/unit/dashboards/test_dashboards.py::test_uids_are_stable",
        "tests/unit/components/gpu/test_counters.py::test_every_added_counter_feeds_a_rule_or_a_panel",
    ]
}


def test_a_mutant_is_judged_by_its_mirror_package_and_its_callers() -> None:
    tests = selection_for("dashboards.gpu_fleet.x_build__mutmut_7", STATS, ["tests/unit"])
    assert tests == [
        "tests/unit/dashboards",
        "tests/unit/components/gpu/test_counters.py::test_every_added_counter_feeds_a_rule_or_a_panel",
    ]
    assert selection_for("exporter.server.xǁAppǁhealth__mutmut_1", {}, ["x"]) == [
        "tests/unit/exporter"
    ]
    assert selection_for("components.config.units.x__scaled__mutmut_1", {}, ["x"]) == list(
        DECLARATION_TESTS
    )


def test_the_accepted_mutants_are_named_in_the_testing_doc() -> None:
    names = accepted()
    assert len(names) >= 150
    assert all("__mutmut_" in name for name in names)
    assert (
        function_of("rules.groups.x_render_rule_file__mutmut_12")
        == "rules.groups.x_render_rule_file"
    )
