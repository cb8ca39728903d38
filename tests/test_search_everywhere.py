"""The list's search covers lessons learned, notes and the running log, not just the title."""

from __future__ import annotations

from datetime import timedelta

import pytest

from screens.home import HomeScreen
from tests.conftest import NOW, AppFactory, new_case
from workbench.followup import log_update, resolve
from workbench.models import DeEscalationRecord, Reproduction, TriageAnswer
from workbench.playbook import Playbook
from workbench.store import Store


def _seed(store: Store, playbook: Playbook) -> dict[str, int]:
    ids: dict[str, int] = {}
    case = new_case(store, "Reports slow", customer="Globex")
    resolve(case, playbook, customer_confirmed=True, tracking_closed=True,
            lessons_learned="Vacuum the warehouse partitions monthly", now=NOW)  # fmt: skip
    ids["lessons"] = store.save(case).id or 0
    case = new_case(store, "Login trouble", customer="Initech",
                    triage={"keep.coaching": TriageAnswer(checked=True, note="Kerberos realm typo")})  # fmt: skip
    ids["triage note"] = case.id or 0
    case = new_case(store, "Webhook noise", customer="Hooli")
    log_update(case, "note", "Asked about retries", "They run HAProxy behind Cloudflare",
               now=NOW - timedelta(hours=1))  # fmt: skip
    ids["log detail"] = store.save(case).id or 0
    case = new_case(store, "Sync gaps", customer="Umbrella")
    log_update(case, "customer_update", "Shared the Zapier workaround", now=NOW)
    ids["log summary"] = store.save(case).id or 0
    case = new_case(store, "Export broken", customer="Wonka",
                    reproduction=Reproduction(evidence="Console: ERR_QUOTA_EXCEEDED"))  # fmt: skip
    ids["evidence"] = case.id or 0
    case = new_case(store, "Pulled back", customer="Tyrell")
    case.de_escalation = DeEscalationRecord(findings="Stale DNS cache on their proxy")
    ids["de-escalation findings"] = store.save(case).id or 0
    return ids


@pytest.mark.parametrize(
    ("where", "query"),
    [
        ("lessons", "warehouse partitions"),
        ("triage note", "kerberos"),
        ("log detail", "haproxy"),
        ("log summary", "zapier"),
        ("evidence", "ERR_QUOTA_EXCEEDED"),
        ("de-escalation findings", "dns cache"),
    ],
)
def test_search_finds_text_beyond_the_title(
    store: Store, playbook: Playbook, where: str, query: str
) -> None:
    ids = _seed(store, playbook)
    assert [row.id for row in store.list_cases(query=query)] == [ids[where]]


async def test_home_search_finds_a_case_by_its_lessons_learned(
    make_app: AppFactory, store: Store, playbook: Playbook
) -> None:
    ids = _seed(store, playbook)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"vacuum warehouse", "enter")
        home = app.screen
        assert isinstance(home, HomeScreen)
        home.reload()  # the search runs after a short pause; run it now
        assert [row.id for row in home.rows] == [ids["lessons"]]
