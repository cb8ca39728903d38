"""The playbook data holds the whole policy, in the policy's own words, and a broken copy is refused
with the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.playbook import PlaybookError, default_playbook, default_playbook_path, load_playbook

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "escalation-playbook.txt"


@pytest.fixture(scope="module")
def playbook_text() -> str:
    return default_playbook_path().read_text(encoding="utf-8")


def test_keep_criteria_are_the_five_of_the_playbook() -> None:
    texts = [c.text for c in default_playbook().keep_criteria]
    assert texts == [
        "A documented fix or known workaround addresses the problem",
        "The root cause is a configuration or setup error you can correct",
        "The customer needs coaching or training, not a product change",
        "The limitation is documented and an alternative path exists",
        "Historical tickets with the same profile were resolved at the support tier",
    ]


def test_six_triggers_with_every_sub_trigger() -> None:
    pb = default_playbook()
    assert [t.name for t in pb.triggers] == [
        "Technical barrier",
        "Diagnostic ceiling",
        "Widespread harm",
        "Business stakes",
        "Stalled progress",
        "Recurring pattern",
    ]
    assert [len(t.items) for t in pb.triggers] == [3, 3, 4, 3, 3, 3]


def test_destinations_senders_receivers_and_security_rule() -> None:
    pb = default_playbook()
    assert [d.heading for d in pb.destinations] == [
        "Support L1 to Support L2",
        "Support L2 to Engineering",
        "Support L2 to Product",
        "Any Tier to Security",
        "Any Tier to Leadership",
    ]
    security = pb.destination("security")
    assert security.skips_tiers
    assert security.rule is not None and "skip tier progression" in security.rule
    assert [p.text for p in pb.destination("engineering").package] == [
        "Complete reproduction procedure",
        "Environment specifics",
        "Relevant logs and error output",
        "Business impact statement",
        "Customer-facing timeline commitments",
    ]
    competitive = pb.destination("product").package[-1]
    assert competitive.text == "Competitive context if available" and not competitive.required


def test_severities_and_cadences_match_the_playbook() -> None:
    pb = default_playbook()
    assert [s.name for s in pb.severities] == ["Critical", "High", "Medium"]
    assert pb.severity("critical").urgency == "Demands immediate action."
    critical, high, medium = (pb.cadence(s) for s in ("critical", "high", "medium"))
    assert (critical.team_hours, critical.customer_min, critical.customer_max) == (2, 2, 4)
    assert (high.team_hours, high.customer_min, high.customer_max) == (4, 4, 8)
    assert (medium.team_hours, medium.customer_min, medium.customer_max) == (24, 1, 2)
    assert medium.customer_unit == "business_days"


def test_document_headings_in_template_order() -> None:
    headings = default_playbook().document.headings
    assert list(headings.model_dump().values()) == [
        "BUSINESS IMPACT",
        "PROBLEM NARRATIVE",
        "REPRODUCTION PROCEDURE (for defects)",
        "ACTIONS ALREADY TAKEN",
        "CUSTOMER COMMUNICATION STATUS",
        "REQUEST",
        "ATTACHMENTS AND REFERENCES",
    ]


@pytest.mark.skipif(not SEED.exists(), reason="the seed playbook is beside the checkout")
def test_every_playbook_line_item_is_in_the_data() -> None:
    """Each bullet of the seed's decision, de-escalation and principle lists appears in the data."""
    pb = default_playbook()
    seed = SEED.read_text(encoding="utf-8")
    known = (
        [c.text for c in pb.keep_criteria]
        + [c.text for c in pb.de_escalation.conditions + pb.de_escalation.procedure]
        + [p.text for p in pb.principles]
        + list(pb.follow_through.responsibilities)
    )
    for text in known:
        assert text in seed, text


def test_unique_ids() -> None:
    ids = [c.id for c in default_playbook().all_criteria()]
    assert len(ids) == len(set(ids)) == 5 + 19 + 20


def test_broken_value_names_key_and_line(tmp_path: Path, playbook_text: str) -> None:
    broken = playbook_text.replace("team_hours = 4\n", 'team_hours = "four"\n', 1)
    path = tmp_path / "playbook.toml"
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('team_hours = "four"') + 1
    with pytest.raises(PlaybookError) as err:
        load_playbook(path)
    message = str(err.value)
    assert "team_hours" in message
    assert f"{path}:{line}" in message
    assert "\n" not in message


def test_unknown_destination_in_implies_is_refused(tmp_path: Path, playbook_text: str) -> None:
    path = tmp_path / "playbook.toml"
    path.write_text(playbook_text.replace('implies = ["security"]', 'implies = ["secruity"]'))
    with pytest.raises(PlaybookError, match="secruity"):
        load_playbook(path)


def test_toml_syntax_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "playbook.toml"
    path.write_text('name = "x\nversion = 1\n')
    with pytest.raises(PlaybookError, match="not valid TOML"):
        load_playbook(path)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="cannot read"):
        load_playbook(tmp_path / "nope.toml")


def test_path_with_a_nul_is_one_line() -> None:
    with pytest.raises(PlaybookError, match="not a usable path") as err:
        load_playbook("play\x00book.toml")
    assert "\x00" not in str(err.value)
