"""Terminal input is data, never commands: the parser the app installs (screens/terminal.py).

Fuzzed through the real parser: arbitrary bytes (decoded as the driver decodes them) never raise;
a bracketed paste, whatever it holds (ESC, ^Q, DEL, CSI and OSC sequences, tabs, newlines, split
across reads anywhere), is exactly one Paste of clean text and no key. The fast profile runs in
every `make test`; `make soak` feeds thousands more.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from screens.terminal import END, START, PasteSafeParser, decoder
from tests.reliability.profile import PROFILES, Profile, count, figures, total_figures
from workbench.sanitize import sanitize

__all__ = ["figures", "total_figures"]

pytestmark = pytest.mark.usefixtures("figures")

# What a pasted log holds: text, colours, cursor moves, titles, and the keys that steered the app.
PIECES = st.sampled_from(
    [
        "\x1b",
        "\x11",  # ctrl+q
        "\x7f",  # DEL
        "\x1b\x7f",
        "\x1b\x1b",
        "\x1b[31m",
        "\x1b[0m",
        "\x1b[2J",
        "\x1b[A",
        "\x1b]0;title\x07",
        "\x1b]52;c;aGk=\x1b\\",
        "\x1b[200~",  # a start marker inside a paste is text too
        "\x1b[20",
        "\x1bO",
        "\x9b",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x00",
        "\x03",
        "é",
        "\ufffd",
        "ERROR code=500 ",
    ]
)
CONTENT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=30).map("".join)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _feed(parser: PasteSafeParser, text: str, cuts: list[int]) -> list[object]:
    """Feed `text` in pieces cut at `cuts`, then the end of input."""
    out: list[object] = []
    last = 0
    for cut in [*sorted({c % (len(text) + 1) for c in cuts}), len(text)]:
        if cut > last:
            out += parser.feed(text[last:cut])
            last = cut
    out += parser.feed("")
    return out


def _keys(events_: list[object]) -> list[str]:
    return [e.key for e in events_ if isinstance(e, events.Key)]


def _settings(profile: Profile):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=profile.fuzz,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=profile.name == "fast",
    )


@PROFILES
def test_arbitrary_bytes_never_raise(profile: Profile) -> None:
    @_settings(profile)
    @given(data=st.binary(max_size=300), cuts=st.lists(st.integers(0, 400), max_size=6))
    def check(data: bytes, cuts: list[int]) -> None:
        parser = PasteSafeParser()
        decode = decoder()
        bounds = sorted(cuts)
        pieces = [data[a:b] for a, b in zip([0, *bounds], [*bounds, len(data)], strict=True)]
        out: list[object] = []
        for piece in [*pieces, b""]:
            text = decode(piece, final=not piece)
            if text:  # as the driver does: "" would be the end of input
                out += parser.feed(text)
        out += parser.tick()
        out += parser.feed("")
        count("terminal byte sequences parsed")
        for event in out:
            if isinstance(event, events.Paste):
                assert not CONTROL.search(event.text.replace("\t", "").replace("\n", ""))

    check()


@PROFILES
def test_a_paste_is_one_clean_paste_and_no_key(profile: Profile) -> None:
    @_settings(profile)
    @given(
        before=st.text(alphabet="abc\t", max_size=4),
        content=CONTENT.filter(lambda c: END not in c),
        after=st.text(alphabet="xyz", max_size=4),
        cuts=st.lists(st.integers(0, 400), max_size=8),
    )
    def check(before: str, content: str, after: str, cuts: list[int]) -> None:
        stream = before + START + content + END + after
        out = _feed(PasteSafeParser(), stream, cuts)
        pastes = [e for e in out if isinstance(e, events.Paste)]
        assert len(pastes) == 1, out
        assert pastes[0].text == sanitize(content)
        assert "\x1b" not in pastes[0].text
        assert not CONTROL.search(pastes[0].text.replace("\t", "").replace("\n", ""))
        # The keys are exactly those typed around the paste, in order, before and after it.
        alone = _keys(_feed(PasteSafeParser(), before + after, []))
        assert _keys(out) == alone
        index = out.index(pastes[0])
        assert _keys(out[:index]) == _keys(_feed(PasteSafeParser(), before, []))
        count("terminal byte sequences parsed")

    check()


def test_the_probes_pastes() -> None:
    """The probe's pastes, one by one: quit, delete, leave, a coloured log line."""
    log = "\x1b[31mERROR\x1b[0m\tcode=500 path=/export\r\nnext line"
    for content, text in [
        ("x\x1b\x11\x1b", "x"),
        ("\x1b\x7f\x7f\x7f", ""),
        ("\x1b\x1b\x1b\x1b", ""),
        (log, "ERROR\tcode=500 path=/export\nnext line"),
    ]:
        out = list(PasteSafeParser().feed(START + content + END))
        assert out == [events.Paste(text)] or (
            len(out) == 1 and isinstance(out[0], events.Paste) and out[0].text == text
        ), (content, out)


def test_keys_outside_a_paste_are_still_keys() -> None:
    """The filter takes only pastes out: arrows, escape-prefixed keys and plain keys pass."""
    out = list(PasteSafeParser().feed("a\x1b[A\x1b[Bz"))
    assert _keys(out) == ["a", "up", "down", "z"]


def test_an_escape_at_the_end_of_a_read_is_the_escape_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import screens.terminal as terminal

    clock = [100.0]
    monkeypatch.setattr(terminal, "get_time", lambda: clock[0])
    parser = PasteSafeParser()
    assert list(parser.feed("\x1b")) == []  # could be the start of a paste: held
    clock[0] += 1.0
    assert _keys(list(parser.tick())) == ["escape"]


def test_the_app_reads_the_terminal_through_this_parser() -> None:
    import sys

    from screens.app import WorkbenchApp
    from screens.terminal import SafeLinuxDriver

    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("the Linux driver")
    assert WorkbenchApp.get_driver_class(object.__new__(WorkbenchApp)) is SafeLinuxDriver
