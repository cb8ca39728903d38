"""Numbers as agents type them ("1,200", "180k", "$180k"): read strictly, validated, shown."""

from __future__ import annotations

import re
from decimal import Decimal

from textual.validation import ValidationResult, Validator

_NUMBER_RE = re.compile(
    r"^(?P<cur>[$€£¥])?\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?\s*(?P<suf>[kKmM])?$"
)
_SUFFIX = {"k": 1_000, "m": 1_000_000}
# Above any real count of customers or users and any revenue figure: more is a slip of the finger
# (or a paste), and past ~10**15 a float no longer holds every digit that was typed.
MAX_NUMBER = 10**12


def parse_number(text: str, *, integer: bool = False) -> tuple[float | None, str | None]:
    """Read a number as agents type it, strictly: "1200", "1,200", "180k", "$180k", "2.5m".

    Returns (value, None), (None, None) for empty text, or (None, why) when it is not a number we
    can read without guessing ("1,2", "many", "-5").
    """
    raw = text.strip()
    if not raw:
        return None, None
    if raw.startswith("-"):
        return None, "Cannot be negative."
    match = _NUMBER_RE.match(raw)
    if match is None:
        if re.search(r"[a-zA-Z]", raw) and not re.search(r"\d", raw):
            return None, "A number, not a word: quantify impact with numbers, not adjectives."
        return None, "Not a number. Write it like 1200, 1,200, 180k or $180k."
    # Exact decimal arithmetic: "12345678901234567891" must not come back as ...7168, nor
    # four hundred nines as infinity (which the JSON document would store as null).
    exact = Decimal(match["num"].replace(",", "") + (match["dec"] or ""))
    if match["suf"]:
        exact *= _SUFFIX[match["suf"].lower()]
    if exact > MAX_NUMBER:
        return None, f"Too large to be a real figure (over {MAX_NUMBER:,}); check the digits."
    if integer:
        if exact != exact.to_integral_value():
            return None, "A whole number, please."
        return int(exact), None
    value = float(exact)
    if Decimal(repr(value)) != exact:
        return None, "Too many digits to keep exactly; round it."
    return value, None


class NumberText(Validator):
    """Validator for `parse_number`: the failure says how to write the number."""

    def __init__(self, *, integer: bool = False) -> None:
        super().__init__()
        self.integer = integer

    def validate(self, value: str) -> ValidationResult:
        _, error = parse_number(value, integer=self.integer)
        return self.failure(error) if error else self.success()


def format_number(value: float | None, *, currency: str = "") -> str:
    """A stored number as the input shows it: "1,200", "$180,000"."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{currency}{text}"
