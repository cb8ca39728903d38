"""Public names of a package loaded on first use (PEP 562), as `textual.widgets` does: importing
the package stays cheap, so the list's cold start loads only the modules it uses."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from importlib import import_module


def lazy_getattr(
    package: str, homes: dict[str, str], namespace: MutableMapping[str, object]
) -> Callable[[str], object]:
    """A module `__getattr__` that imports `package.<homes[name]>` when `name` is first asked
    for, and keeps the name in `namespace` (the package's globals) so it is asked only once."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return __getattr__
