"""Forget the watchers of widgets that are gone (textual#6666, open in the pinned 8.2.8).

`widget.watch(other, "attr", ...)` and `data_bind` store `(widget, callback)` on the watched
object, and Textual drops the entry of a closed widget only when that attribute changes. When it
never does, the entry keeps the widget alive with all it holds (its document, its rendered lines)
for as long as the watched object lives: every TextArea ever mounted stayed on the app's `theme`,
every key a footer showed on that footer's `compact` (the list's footer lives all day, and is
composed again at each change of keys). The owners of those long-lived objects call
`forget_closed_watchers` after widgets are taken down (screens/kept.py, screens/widgets/footer.py).
"""

from __future__ import annotations

from typing import Any

from textual.message_pump import MessagePump


def forget_closed_watchers(watched: Any) -> int:
    """Drop, from every watcher list of `watched`, the entries whose widget has closed (the
    test Textual applies when the attribute changes); how many were dropped."""
    lists: dict[str, list[tuple[Any, Any]]] = getattr(watched, "__watchers", {})
    dropped = 0
    for entries in lists.values():
        alive = [entry for entry in entries if not _closed(entry[0])]
        dropped += len(entries) - len(alive)
        entries[:] = alive
    return dropped


def _closed(node: object) -> bool:
    return isinstance(node, MessagePump) and (node._closing or node._closed)
