"""Terminal-safe text: what a user typed, minus what a terminal would execute.

Case fields are shown in a terminal, printed by the command line and copied to the clipboard, so a
field must never carry a control character or an escape sequence (colours, cursor moves, window
titles, OSC 52 clipboard writes). `sanitize` removes them and normalises line endings; everything else
(Unicode, emoji, right-to-left text, combining marks, tabs, newlines) is kept exactly.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL_RE", "sanitize"]

# Escape sequences, longest form first. A terminal consumes the whole sequence, so we drop it whole:
_SEQUENCES = re.compile(
    # CSI: ESC [ (or 8-bit CSI) parameters, intermediates, final byte (missing at the end of text).
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    # String commands OSC, DCS, SOS, PM, APC (7- or 8-bit) up to BEL or ST (ESC \ or 8-bit ST);
    # an unterminated one ends at the line end, so a stray ESC ] cannot swallow the rest of a text.
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # Other escapes: ESC, intermediates, a final byte (charset selection, reset, keypad modes ...).
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
# What is left after the sequences: C0 except tab and newline, DEL, C1, lone surrogates.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_CRLF = re.compile(r"\r\n?")


def sanitize(text: str) -> str:
    """`text` without terminal control characters and escape sequences; CR LF and CR become LF.

    Idempotent: sanitize(sanitize(x)) == sanitize(x), and the result never contains ESC, BEL, CR,
    DEL, a C1 control or a lone surrogate."""
    if not text:
        return text
    text = _CRLF.sub("\n", text)
    text = _SEQUENCES.sub("", text)
    return CONTROL_RE.sub("", text)
