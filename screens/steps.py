"""The steps of a case: the screens F2-F7 switch between, in order, with their keys and tab
labels. Data only, so the header, the palette and the kept screens can name the steps without
importing the step screens (each is imported when first shown)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of a case: its name, key, tab label, and where its screen class lives."""

    name: str
    key: str
    label: str
    module: str
    class_name: str


STEPS: tuple[Step, ...] = (
    Step("triage", "f2", "Triage", "screens.triage", "TriageScreen"),
    Step("impact", "f3", "Impact", "screens.impact", "ImpactScreen"),
    Step("reproduction", "f4", "Reproduction", "screens.reproduction", "ReproductionScreen"),
    Step("details", "f5", "Details", "screens.details", "DetailsScreen"),
    Step("timeline", "f6", "Timeline", "screens.timeline", "TimelineScreen"),
    Step("export", "f7", "Export", "screens.export", "ExportScreen"),
)


def step_by_name(name: str) -> Step:
    for info in STEPS:
        if info.name == name:
            return info
    raise KeyError(name)
