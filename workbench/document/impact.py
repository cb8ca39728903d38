"""The impact numbers a document's BUSINESS IMPACT lines state: customers and end users affected,
ARR exposed and pipeline at risk, and the currency, each reported with how it was read."""

from __future__ import annotations

import re

from workbench.document.numbers import amounts, counts
from workbench.document.report import Report
from workbench.models import BusinessImpact, ImpactInputs

__all__ = ["impact_numbers"]

_PIPELINE = re.compile(
    r"pipeline|expansion|upsell|up-sell|add-on|addon|upgrade|open deals?|\bdeals?\b|quote|"
    r"prospect|opportunit|cross-sell",
    re.IGNORECASE,
)


def impact_numbers(business: BusinessImpact, report: Report) -> ImpactInputs:
    """The impact numbers the business-impact lines state."""
    impact = ImpactInputs()
    line = business.affected_customers
    for count in counts(line):
        if count.users and impact.end_users_affected is None:
            impact.end_users_affected = count.value
            report.read("impact.end_users_affected", count.value, "business_impact", line,
                        count.how())  # fmt: skip
        elif not count.users and impact.customers_affected is None:
            impact.customers_affected = count.value
            report.read("impact.customers_affected", count.value, "business_impact", line,
                        count.how())  # fmt: skip
    if impact.end_users_affected is None:
        line = business.operational_effect
        users = [c for c in counts(line) if c.users]
        if users:
            impact.end_users_affected = users[0].value
            report.read("impact.end_users_affected", users[0].value, "business_impact", line,
                        users[0].how())  # fmt: skip
    line = business.revenue_exposure
    found = amounts(line)
    segments = re.split(r";|\n|,\s*(?:plus|and)\b|\bplus\b", line)
    offsets: list[tuple[int, int]] = []
    at = 0
    for segment in segments:
        start = line.find(segment, at)
        offsets.append((start, start + len(segment)))
        at = start + len(segment)

    def pipeline(amount_start: int) -> bool:
        for start, end in offsets:
            if start <= amount_start < end:
                return bool(_PIPELINE.search(line[start:end]))
        return False

    arr = [a for a in found if not pipeline(a.start)]
    tagged = [a for a in arr if re.match(r"\s*ARR\b", line[a.end :]) or "ARR" in a.text]
    chosen = (tagged or arr)[:1]
    for amount in chosen:
        impact.arr_exposed = amount.value
        report.read("impact.arr_exposed", amount.value, "business_impact", line, amount.how())
    for amount in [a for a in found if pipeline(a.start)][:1]:
        impact.pipeline_at_risk = amount.value
        report.read("impact.pipeline_at_risk", amount.value, "business_impact", line,
                    amount.how())  # fmt: skip
    currency = next((a.currency for a in chosen + found if a.currency), "")
    if currency:
        impact.currency = currency
        report.read("impact.currency", currency, "business_impact", line)
    return impact
