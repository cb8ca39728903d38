"""Generated case histories for the history, signals and stats tests.

`labelled_history()` builds 60 cases across 10 known problems (6 reports each), worded differently
from report to report, padded with the same generic noise sentences, with components left out now
and then and hard negatives (two export problems, two login problems, two integration problems) so
that a ranking has to use more than one shared word. The label of each case is its problem key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from workbench.models import Environment, Escalation, Reproduction


@dataclass(frozen=True)
class Problem:
    key: str
    component: str
    titles: tuple[str, ...]
    observed: tuple[str, ...]
    sentences: tuple[str, ...]
    evidence: tuple[str, ...]
    flags: tuple[str, ...] = ()


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "csv_export",
        "Reports",
        (
            "CSV export times out for large reports",
            "Exporting reports to CSV fails after 30 seconds",
            "Large report CSV download never finishes",
            "CSV exports over 10,000 rows time out",
            "Report export to CSV stuck then errors",
            "Timeout when exporting big reports as CSV",
        ),
        (
            'Error "Export failed (E-1042)" after the spinner runs for 30 s',
            "The CSV download stops with a gateway timeout",
            "Spinner then a 504 and no file is downloaded",
            "The export never completes for reports with many rows",
        ),
        (
            "Exports of reports above ten thousand rows time out.",
            "Smaller CSV exports download fine.",
            "The Export CSV button spins and then shows an error.",
            "Their finance team cannot pull the month-end CSV.",
            "It started after the reporting release on Monday.",
            "Splitting the report into smaller date ranges lets the CSV download.",
        ),
        ("Console shows 504 from /api/export", "HAR file attached; E-1042 in the response", ""),
    ),
    Problem(
        "pdf_fonts",
        "Reports",
        (
            "PDF export shows garbled characters",
            "Exported PDF replaces accented letters with boxes",
            "Fonts broken in PDF reports",
            "Non-Latin text renders as squares in PDF export",
            "PDF report text unreadable for Japanese names",
            "Report PDF has missing glyphs",
        ),
        (
            "Accented characters print as empty boxes in the PDF",
            "Japanese and Greek names show as squares",
            "The PDF opens but the font is substituted and glyphs are missing",
            "Umlauts become question marks in the exported PDF",
        ),
        (
            "Only the PDF format is affected; the on-screen report looks right.",
            "Names with accents or non-Latin scripts lose their glyphs.",
            "The font embedding seems to fall back to a basic font.",
            "Their German and Japanese offices noticed it first.",
            "Printing from the browser instead of the PDF works.",
        ),
        ("Sample PDF attached with the boxes circled", ""),
    ),
    Problem(
        "sso_loop",
        "Authentication",
        (
            "SSO login redirects in a loop",
            "Okta sign-in bounces back to the login page",
            "Single sign-on stuck in redirect loop",
            "SAML login never completes, keeps redirecting",
            "Users cannot sign in with SSO: endless redirects",
            "Redirect loop after identity provider login",
        ),
        (
            "The browser bounces between the IdP and our login page until it gives up",
            "ERR_TOO_MANY_REDIRECTS after authenticating with Okta",
            "After the SAML assertion the app sends them back to the identity provider",
            "Login page reloads endlessly after SSO",
        ),
        (
            "Everyone on their SSO tenant is affected; password logins still work.",
            "The SAML response looks valid in the tracer.",
            "It began after they rotated their IdP signing certificate.",
            "Clearing cookies does not break the redirect loop.",
            "Their Okta admin confirmed the app assignment is correct.",
        ),
        ("SAML tracer export attached", "Chrome shows ERR_TOO_MANY_REDIRECTS", ""),
        ("sso-v2",),
    ),
    Problem(
        "password_reset",
        "Authentication",
        (
            "Password reset email never arrives",
            "Reset password link not delivered",
            "Users do not receive the forgot-password email",
            "No email after requesting a password reset",
            "Password reset messages missing from inboxes",
            "Forgot password email not sent",
        ),
        (
            "The confirmation banner appears but no email reaches the inbox or spam folder",
            "The reset email is not delivered to their domain",
            "No reset message arrives even after 30 minutes",
            "The mail log shows the reset email bounced",
        ),
        (
            "Users who forgot their password cannot get a reset link.",
            "Only addresses on their corporate domain are affected.",
            "Their mail gateway may be rejecting our sender.",
            "Invitations from the same system arrive fine.",
            "We resent the reset email twice from the admin panel.",
        ),
        ("Bounce message: 550 rejected by policy", ""),
    ),
    Problem(
        "webhook_dupes",
        "Integrations",
        (
            "Webhooks delivered twice",
            "Duplicate webhook events for every order",
            "Webhook deliveries are duplicated and delayed",
            "Same webhook fired multiple times",
            "Receiving repeated webhook payloads",
            "Webhook retries send duplicates although we return 200",
        ),
        (
            "Each order.created event arrives two or three times with the same delivery id",
            "Duplicate webhook payloads a few minutes apart",
            "Their endpoint answers 200 but the webhook is retried anyway",
            "Webhook deliveries arrive late and in duplicate",
        ),
        (
            "Their order system books the same order twice because of duplicate webhooks.",
            "The delivery log shows retries even after a 200 response.",
            "It began after the webhook retry policy change.",
            "Deduplicating on the delivery id is their workaround.",
        ),
        ("Delivery log export attached with duplicate delivery ids", ""),
    ),
    Problem(
        "salesforce_sync",
        "Integrations",
        (
            "Salesforce sync drops custom fields",
            "Custom field values missing after Salesforce sync",
            "Salesforce integration not syncing custom fields",
            "Synced Salesforce records have empty custom fields",
            "Field mapping to Salesforce loses values",
            "Salesforce sync leaves custom fields null",
        ),
        (
            "Custom fields arrive in Salesforce as null while standard fields sync",
            "The sync completes but the mapped custom fields are empty",
            "Sync log says success yet custom field values are missing",
            "Only standard Salesforce fields are populated after sync",
        ),
        (
            "Standard fields sync; the custom field mapping is ignored.",
            "Their sales team relies on the custom fields for routing.",
            "Re-saving the field mapping did not help.",
            "The Salesforce API user has the field-level permissions.",
        ),
        ("Sync log excerpt attached", "SF_FIELD_MAPPING warning in the sync log", ""),
    ),
    Problem(
        "safari_charts",
        "Dashboards",
        (
            "Dashboard charts blank in Safari",
            "Charts do not render on Safari",
            "Safari shows empty dashboard widgets",
            "Dashboard graphs missing in Safari 17",
            "Chart widgets render blank on Mac Safari",
            "Empty charts on dashboards in Safari",
        ),
        (
            "Chart areas stay blank; the legend and titles show",
            "Widgets load but the canvas is empty in Safari",
            "Graphs are white boxes in Safari while Chrome draws them",
            "No chart is drawn on the dashboard in Safari",
        ),
        (
            "The same dashboards render in Chrome and Firefox.",
            "Only Safari 17 on macOS shows blank charts.",
            "Console shows a canvas error when the chart draws.",
            "Turning off the new charts flag brings the charts back.",
        ),
        ("Console: TypeError in chart renderer", ""),
        ("new-charts",),
    ),
    Problem(
        "invoice_rounding",
        "Billing",
        (
            "Invoice totals off by a cent",
            "Rounding error on invoice totals",
            "Invoice tax rounding wrong",
            "Invoice amounts do not match line items",
            "VAT totals rounded incorrectly on invoices",
            "Invoice total differs from sum of lines by one cent",
        ),
        (
            "The invoice total is one cent higher than the sum of the line items",
            "VAT is rounded per line instead of on the total",
            "Totals differ from their accounting system by a few cents",
            "Tax amount rounds the wrong way on invoices",
        ),
        (
            "Their accounting system rejects invoices whose totals do not match.",
            "The difference is always one or two cents.",
            "It affects invoices with many line items and VAT.",
            "Manual credit notes fix the balance each month.",
        ),
        ("Invoice INV-88213 attached with the mismatch", ""),
    ),
    Problem(
        "mobile_upload_crash",
        "Mobile",
        (
            "Mobile app crashes when uploading a photo",
            "iOS app closes on photo upload",
            "App crash when attaching a picture",
            "Photo attachment crashes the mobile app",
            "Android app crashes uploading camera images",
            "Mobile upload of photos force-closes the app",
        ),
        (
            "The app closes immediately after choosing a photo to attach",
            "Crash when the upload starts for images from the camera",
            "App force-closes while uploading a picture",
            "Attaching a photo crashes the app on both iOS and Android",
        ),
        (
            "Field technicians cannot attach photos to their work orders.",
            "Small screenshots upload; camera photos crash the app.",
            "Crash reports point at the image resize step.",
            "Reinstalling the app did not stop the crash.",
        ),
        ("Crash log attached: OutOfMemoryError in ImageResizer", ""),
    ),
    Problem(
        "api_rate_limit",
        "API",
        (
            "API requests throttled with 429",
            "Too many requests errors from the API",
            "API rate limit hit far below the documented quota",
            "Getting HTTP 429 on bulk API calls",
            "Rate limiting blocks their nightly API job",
            "API returns 429 Too Many Requests",
        ),
        (
            "Requests start failing with 429 after about 100 calls per minute",
            "The API answers 429 Too Many Requests during the nightly sync",
            "Throttling kicks in well below the plan's rate limit",
            "Bulk calls are rejected with rate limit errors",
        ),
        (
            "Their nightly job makes bulk API calls and gets throttled.",
            "The documented limit for their plan is 1,000 requests per minute.",
            "Retry-After headers ask them to wait 60 seconds.",
            "Spreading calls over the hour avoids the throttling.",
        ),
        ("Response headers attached showing X-RateLimit-Remaining 0", ""),
    ),
)

NOISE: tuple[str, ...] = (
    "The customer is on the Enterprise plan and has been with us for three years.",
    "We asked them to clear the browser cache and retry.",
    "Their admin confirmed nothing changed on their side.",
    "This is blocking an important process for the account.",
    "The account manager has been informed.",
    "They would like an update by the end of the day.",
    "We could not reproduce it on our demo account at first.",
    "Several people on their team reported the same thing.",
)

CUSTOMERS: tuple[str, ...] = tuple(
    f"{name}"
    for name in (
        "Acme Corp",
        "Globex",
        "Initech",
        "Umbrella",
        "Hooli",
        "Stark Industries",
        "Wayne Enterprises",
        "Wonka",
        "Soylent",
        "Tyrell",
        "Cyberdyne",
        "Vandelay",
        "Pied Piper",
        "Dunder Mifflin",
        "Monsters Inc",
        "Gringotts",
        "Oscorp",
        "Aperture",
        "Black Mesa",
        "Massive Dynamic",
    )
)
BROWSERS = ("Chrome 122", "Firefox 124", "Safari 17", "Edge 121")
OSES = ("macOS 14.3", "Windows 11", "Ubuntu 22.04", "iOS 17")

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def make_case(
    problem: Problem, rng: random.Random, case_id: int, customer: str, title: str | None = None
) -> Escalation:
    sentences = rng.sample(problem.sentences, k=rng.randint(1, 2))
    noise = rng.sample(NOISE, k=rng.randint(1, 2))
    # a confuser: a sentence from another problem, as when a narrative mentions what does work
    other = rng.choice([p for p in PROBLEMS if p.key != problem.key])
    confuser = [rng.choice(other.sentences)] if rng.random() < 0.5 else []
    parts = sentences + confuser + noise
    rng.shuffle(parts)
    narrative = " ".join(parts)
    flags = (
        problem.flags[0] if problem.flags and rng.random() < 0.5 else rng.choice(("", "beta-ui"))
    )
    return Escalation(
        id=case_id,
        revision=1,
        title=title if title is not None else rng.choice(problem.titles),
        customer=customer,
        component=problem.component if rng.random() < 0.7 else "",
        narrative=narrative,
        reproduction=Reproduction(
            observed=rng.choice(problem.observed),
            evidence=rng.choice(problem.evidence),
            environment=Environment(
                browser=rng.choice(BROWSERS), os=rng.choice(OSES), feature_flags=flags
            ),
        ),
        created_at=T0 + timedelta(days=case_id),
        updated_at=T0 + timedelta(days=case_id),
    )


def distractor(rng: random.Random, case_id: int) -> Escalation:
    """A case about none of the problems that borrows words from two of them."""
    first, second = rng.sample(PROBLEMS, k=2)
    words = rng.choice(first.titles).split()[:3] + rng.choice(second.titles).split()[-3:]
    return Escalation(
        id=case_id,
        revision=1,
        title=" ".join(words),
        customer=rng.choice(CUSTOMERS),
        narrative=" ".join([rng.choice(first.sentences), rng.choice(second.sentences), *NOISE[:1]]),
        reproduction=Reproduction(observed=rng.choice(second.observed)),
        created_at=T0 + timedelta(days=case_id),
        updated_at=T0 + timedelta(days=case_id),
    )


def labelled_history(
    seed: int = 7, per_problem: int = 6, distractors: int = 20
) -> tuple[list[Escalation], dict[int, str]]:
    """10 problems x 6 reports (each worded with its own title) plus distractor cases that mix the
    words of two problems (label "noise"), and the label of every case id."""
    rng = random.Random(seed)
    titles = {p.key: rng.sample(p.titles, k=len(p.titles)) for p in PROBLEMS}
    order: list[Problem | None] = [p for p in PROBLEMS for _ in range(per_problem)]
    order += [None] * distractors
    rng.shuffle(order)
    cases: list[Escalation] = []
    labels: dict[int, str] = {}
    for index, problem in enumerate(order, start=1):
        if problem is None:
            cases.append(distractor(rng, index))
            labels[index] = "noise"
            continue
        pool = titles[problem.key]
        title = pool.pop() if pool else None
        cases.append(make_case(problem, rng, index, rng.choice(CUSTOMERS), title))
        labels[index] = problem.key
    return cases, labels
