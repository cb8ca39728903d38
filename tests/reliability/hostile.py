"""Hostile text, as hypothesis strategies: what support agents paste under time pressure, and what
a customer's log or an attacker's ticket can carry.

Control characters (C0, DEL, C1, NUL), ANSI CSI, OSC window titles, OSC 8 links and OSC 52
clipboard writes (7- and 8-bit, terminated or not), DCS, lone surrogates, right-to-left overrides
and isolates, combining marks, zero-width and BOM characters, CR/LF mixes, and Markdown or HTML
that tries to forge a section of the exported document. Plus numbers as garbage and dates that do
not exist or could mean two days.
"""

from __future__ import annotations

from hypothesis import strategies as st

ESCAPES = [
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b[?1049h",  # alternate screen
    "\x1b[6n",  # ask the terminal to answer (it types into the app)
    "\x1b]0;pwned\x07",  # window title
    "\x1b]52;c;ZWNobyBwd25lZA==\x07",  # OSC 52: write the clipboard
    "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\",  # OSC 52 with ST
    "\x1b]52;c;?\x07",  # OSC 52: read the clipboard back
    "\x9d52;c;ZWNobyBwd25lZA==\x9c",  # 8-bit OSC 52
    "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",  # OSC 8 link
    "\x1bP1$r0m\x1b\\",  # DCS
    "\x1b]52;c;unterminated",
    "\x1b[",
    "\x1b",
    "\x9b31m",
    "\x07\x08\x7f",
    "\x00",
    "a\x00b",
    "\r",
    "\r\n",
    "line\roverwritten",
    "\x85\u2028\u2029",
    "\x0b\x0c",
]
UNICODE = [
    "\ud800",  # lone surrogates (undecodable bytes, a broken paste, a JSON import's \ud800)
    "x\udfffy",
    "\u202egnp.exe",  # right-to-left override
    "\u2066isolate\u2069",
    "שלום עולם",
    "مرحبا بالعالم",
    "e\u0301\u0301\u0301",
    "Z\u0351\u0351\u0351a\u0300\u0300l\u0301g\u0302o\u0303",
    "\u0301 leading combining mark",
    "\u200b\u200c\u200d\ufeff",
    "👨‍👩‍👧‍👦🇩🇪👍🏽",
    "日本語のテキスト",
    "\ufffd",
    "\U0010ffff",
]
FORGERIES = [
    "\n## REPRODUCTION\n",
    "\n# ESCALATION: forged title\n",
    "ESCALATION: forged",
    "\n---\n",
    "\n===\n",
    "\n- Ship a fix: forged\n",
    "\n1. forged step\n",
    "Hard deadline: 2026-11-27 17:00",
    "[not provided]",
    "<script>alert(1)</script>",
    "<!-- hidden -->",
    "<h2>REQUEST</h2>",
    "&#27;[31m&lt;",
    "```\ncode\n```",
    "~~~",
    "| a | b |\n|---|---|",
    "> quoted\n>",
    "\\",
    "*_`[]()#+-.!|",
    "[link](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
]
PIECES = ESCAPES + UNICODE + FORGERIES

# Any character, surrogates included (hypothesis leaves them out unless told).
any_char = st.characters(exclude_categories=())

hostile_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(any_char, max_size=8)), min_size=1, max_size=6
).map("".join)

NUMBERS = [
    "12",
    "1,200",
    "1,2",
    "12,00",
    "$180k",
    "€2.5m",
    "£ 1,000,000",
    "¥0",
    "-5",
    "−5",  # a minus sign, not a hyphen
    "+5",
    "5-",
    "1e9",
    "inf",
    "nan",
    "NaN",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits
    "１２３",  # full-width digits
    "²",
    "1 200",
    "1.200,50",
    "1'200",
    "12.",
    ".5",
    "9" * 400,
    "12345678901234567891",
    "1000000000000",
    "1000000000001",
    "1.0000000000000001",
    "many",
    "lots of customers",
    "$",
    "k",
    "",
    " ",
]
number_text = st.one_of(
    st.sampled_from(NUMBERS),
    st.text(st.sampled_from("0123456789,.$€£¥kKmM -+eE"), max_size=24),
    st.lists(st.sampled_from(NUMBERS + PIECES), min_size=1, max_size=3).map("".join),
)

DATES = [
    "2026-02-30 17:00",
    "2026-02-29",
    "2026-13-01",
    "2026-00-10",
    "2026-11-31",
    "31/02/2026",
    "03/04/2026",  # March or April?
    "3/4",
    "12/31",
    "31/12",
    "fri 25:00",
    "tomorrow 24:00",
    "tomorrow 99:99",
    "+99999999999d",
    "-99999999999d",
    "+2147483647m",
    "+999999h",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "0000-01-01",
    "2026-11-27T17:00:00+99:00",
    "2026-11-27T17:00:00+23:59",
    "2026-11-27 17:00 +1400",
    "yesterday",
    "next fri",
    "in 99999 years",
    "soon",
    "EOD",
    "end of week",
    "٢٠٢٦-١١-٢٧ ١٧:٠٠",
]
date_text = st.one_of(
    st.sampled_from(DATES),
    st.text(st.sampled_from("0123456789-/.:+ TZdhmwfritomorwyesna"), max_size=24),
    st.lists(st.sampled_from(DATES + PIECES), min_size=1, max_size=2).map("".join),
)
