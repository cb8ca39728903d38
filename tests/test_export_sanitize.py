"""`sanitize`: terminal control characters and escape sequences go, the user's text stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.sanitize import CONTROL_RE, sanitize


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("windows\r\nline\rends", "windows\nline\nends"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("cursor\x1b[2J\x1b[Hhome", "cursorhome"),
        ("\x1b[?1049h alt screen", " alt screen"),
        ("copy\x1b]52;c;ZXZpbA==\x07paste", "copypaste"),
        ("copy\x1b]52;c;ZXZpbA==\x1b\\paste", "copypaste"),
        ("title\x1b]0;pwned\x9cend", "titleend"),
        ("link \x1b]8;;https://evil.example\x07text\x1b]8;;\x07", "link text"),
        ("unterminated \x1b]52;c;ZXZpbA==\nnext line", "unterminated \nnext line"),
        ("dcs\x1bPq#0;2;0;0;0\x1b\\done", "dcsdone"),
        ("8-bit csi \x9b31mred", "8-bit csi red"),
        ("8-bit osc \x9d52;c;eA==\x07after", "8-bit osc after"),
        ("reset\x1bc and charset\x1b(B", "reset and charset"),
        ("lone escape at end\x1b", "lone escape at end"),
        ("bell\x07 backspace\x08 null\x00 vt\x0b ff\x0c", "bell backspace null vt ff"),
        ("del\x7f c1\x80\x85\x9f", "del c1"),
        ("surrogate \ud800 and \udfff", "surrogate  and "),
        ("emoji 👍🏽 rtl שלום combining e\u0301", "emoji 👍🏽 rtl שלום combining e\u0301"),
        (
            "zero width \u200b joiner \u200d nbsp \u00a0",
            "zero width \u200b joiner \u200d nbsp \u00a0",
        ),
        ("", ""),
    ],
)
def test_sanitize(raw: str, clean: str) -> None:
    assert sanitize(raw) == clean


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=[])))
def test_sanitize_is_idempotent_and_leaves_no_control(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once
    assert not CONTROL_RE.search(once)
    assert "\x1b" not in once and "\r" not in once


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cc", "Cs"])))
def test_printable_text_is_kept_exactly(text: str) -> None:
    assert sanitize(text) == text
