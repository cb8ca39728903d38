"""What an import read: each value and where it came from (section and line), how each number and
deadline was interpreted, and each line it could not place. `workbench import --explain` shows it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Reading", "Report", "Unplaced"]


@dataclass
class Reading:
    field: str
    value: str
    section: str
    source: str  # the text it was read from
    how: str = ""
    line: int | None = None


@dataclass
class Unplaced:
    section: str
    text: str
    line: int | None = None


@dataclass
class Report:
    readings: list[Reading] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def read(self, name: str, value: object, section: str, source: str, how: str = "") -> None:
        self.readings.append(Reading(name, str(value), section, source, how))

    def unplace(self, section: str, text: str) -> None:
        self.unplaced.append(Unplaced(section, text))
        self.warnings.append(f"{section}: could not place {_preview(text)!r}; kept")

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def locate(self, document: str) -> None:
        """Give each reading and unplaced text the line (from 1) of the document it came from."""
        lines = document.splitlines()

        def find(text: str) -> int | None:
            probe = " ".join(text.split()[:6]).strip()
            if not probe:
                return None
            for number, line in enumerate(lines, start=1):
                if probe in " ".join(line.split()):
                    return number
            first = text.split()[0] if text.split() else ""
            for number, line in enumerate(lines, start=1):
                if first and first in line:
                    return number
            return None

        for reading in self.readings:
            reading.line = find(reading.source)
        for item in self.unplaced:
            item.line = find(item.text)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as text, one line each."""
        out = ["Read:"]
        for r in self.readings:
            where = f"{r.section}, line {r.line}" if r.line else r.section
            how = f" ({r.how})" if r.how else ""
            out.append(f"  {r.field} = {_preview(r.value)!r}  [{where}]{how}")
        if self.unplaced:
            out.append("Not placed (kept in the case's unplaced lines):")
            for u in self.unplaced:
                where = f"{u.section}, line {u.line}" if u.line else u.section
                out.append(f"  [{where}] {_preview(u.text)!r}")
        if self.warnings:
            out.append("Warnings:")
            out.extend(f"  {w}" for w in self.warnings)
        return out


def _preview(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 70 else line[:69] + "…"
