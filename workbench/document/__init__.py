"""The escalation document: the playbook's "Escalation Document Structure" as CommonMark, and back.

`render_markdown` writes a case in the template's structure (headings, order and labels from
`playbook.document`); every empty field shows the playbook's placeholder. `parse_markdown` reads such a
document, or one an agent typed in the same structure, back into a case, using markdown-it-py's token
stream. The two are exact inverses on what the user typed: user text is sanitized, then escaped so it
can neither break the structure nor forge a label, a separator or the placeholder, and the parse
undoes exactly that escaping. So export(import(doc)) == doc for every document export produced.

How the exactness works: the parse keeps, for every character of a field, whether it was written
plainly ("raw") or as a backslash escape / character reference ("literal"). Structure (labels, the
`;` between environment entries, `->` in actions, `— input:` in steps, the placeholder, line breaks)
is recognised in raw characters only, and raw whitespace at the edges of a value is layout, while
literal whitespace is the user's. The renderer escapes accordingly: punctuation that could start
Markdown syntax, separators inside values, and whitespace at the edges of a value or line (as
`&#32;`-style references).

The modules: `times` (format_time, parse_time), `escaping` (render side), `render`, `blocks` (parse
stage 1: the token stream as blocks of raw/literal text, and labeled lines), `sections` and `parse`
(stage 2), `structure` (what render and parse share). Names are loaded on first use, so importing
this package costs nothing until a document is rendered or parsed (the list's cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.lazy import lazy_getattr

if TYPE_CHECKING:
    from workbench.document.keep_note import render_export, render_keep_note
    from workbench.document.parse import IMPORTED_SEVERITY_REASON, parse_markdown
    from workbench.document.render import (
        FORMATS,
        compose_business_impact,
        render_document,
        render_markdown,
        render_plain,
    )
    from workbench.document.structure import DocumentError
    from workbench.document.times import format_time, parse_time

__all__ = [
    "FORMATS",
    "IMPORTED_SEVERITY_REASON",
    "DocumentError",
    "compose_business_impact",
    "format_time",
    "parse_markdown",
    "parse_time",
    "render_document",
    "render_export",
    "render_keep_note",
    "render_markdown",
    "render_plain",
]

# Public name -> the module that defines it.
_HOMES = {
    "IMPORTED_SEVERITY_REASON": "parse",
    "DocumentError": "structure",
    "compose_business_impact": "render",
    "format_time": "times",
    "parse_markdown": "parse",
    "parse_time": "times",
    "render_export": "keep_note",
    "render_keep_note": "keep_note",
    "render_markdown": "render",
    "render_plain": "render",
    "render_document": "render",
    "FORMATS": "render",
}


__getattr__ = lazy_getattr(__name__, _HOMES, globals())
