"""Helpers of the reliability tests (tests/test_reliability_*.py): the crash driver, the profile
(fast in `make test`, long in `make soak`) and the figures a soak run reports."""
