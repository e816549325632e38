"""Helpers and child-process programs for the reliability suites (tests/test_reliability_*)."""
