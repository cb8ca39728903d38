"""Shared by the lint tests (tests/test_rules_lint.py, tests/test_rules_lint_text.py): the fixed
time, the playbook's words a finding must quote, a case with nothing to flag, and picking findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workbench.models import Environment, Escalation, ReproStep
from workbench.rules.lint import Finding

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

# The playbook's words, written out: a finding must quote them.
QUANTIFY = (
    "Quantify impact with numbers, not adjectives -- measurable escalations get faster attention."
)
REPRO = (
    "For defects, reproduction steps are non-negotiable -- they are what engineering needs most."
)
ASK = (
    'Distinguish your ask: "investigate," "fix," and "decide" are different requests with '
    "different owners."
)
DEADLINE = "Attach a deadline to every escalation -- urgency without a timeline is ambiguous."
EXACT = (
    'Use exact actions: "Select the Export CSV button in the upper-right corner of the Reports '
    'view" not "try exporting."'
)
LITERAL = (
    "Specify literal inputs: Provide the actual data values, IDs, or strings used -- "
    'not "enter a value."'
)
ENVIRONMENT = (
    "Record the environment: Browser and version, operating system, account plan tier, "
    "active feature flags."
)
EVIDENCE = "Attach evidence: Screenshots, exact error text, network traces, browser console output."
NARRATIVE = (
    "3-5 sentences covering: what is happening, when it began, how it presents, "
    "and how wide the blast radius is"
)
GOOD_NARRATIVE = (
    "Since release 4.2 the CSV export returns HTTP 500 for reports over 10,000 rows. "
    "It began on Monday 23 November at 09:00 UTC. "
    "The Export CSV button spins for 30 s and then shows the error."
)


def clean_case() -> Escalation:
    """A case with nothing to flag: numbers, exact steps, a deadline and an ask."""
    return Escalation(
        title="CSV export returns HTTP 500 for large reports",
        routed_to=["engineering"],
        business_impact={
            "affected_customers": "3 customers (Acme, Globex, Initech)",
            "operational_effect": "No CSV exports above 10,000 rows",
            "revenue_exposure": "$120,000 ARR",
        },
        narrative=GOOD_NARRATIVE,
        reproduction={
            "steps": [
                ReproStep(action="Sign in as admin@acme.test on the Enterprise plan"),
                ReproStep(action="Open the Reports view and choose the report named Q3 Sales"),
                ReproStep(action="Type the row limit into the Limit field", literal_input="10001"),
                ReproStep(action="Select the Export CSV button in the upper-right corner"),
            ],
            "expected": "A CSV file downloads",
            "observed": "HTTP 500 after 30 s",
            "environment": Environment(browser="Chrome 122", os="macOS 14"),
        },
        request={
            "ask_type": "fix",
            "ask": "Ship a fix for the export timeout",
            "hard_deadline": NOW + timedelta(days=2),
        },
    )


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]
