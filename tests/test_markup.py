"""Pearl markup: the formatting allowlist parsed, rendered to HTML and plain text, from HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pearldeck import markup
from pearldeck.markup import Image, ListBlock, Para, Span, Table
from pearldeck.store import media

ALLOWED_TAGS = {"b", "i", "u", "sub", "sup", "code", "br", "ul", "ol", "li", "table", "tr"}
ALLOWED_TAGS |= {"td", "th", "a", "img"}


def test_inline_styles_nest_and_unclosed_markers_stay_text() -> None:
    spans = markup.inline("**IM *epinephrine*** 0.5 mg, 2 * 3 = 6 and a lone ** star")
    assert spans[0] == Span("IM ", frozenset({"b"}))
    assert spans[1] == Span("epinephrine", frozenset({"b", "i"}))
    assert "".join(s.text for s in spans) == "IM epinephrine 0.5 mg, 2 * 3 = 6 and a lone ** star"


def test_tags_code_links_and_escapes() -> None:
    spans = markup.inline(r"H<sub>2</sub>O, `code *x*`, [NEJM](https://nejm.org) \*not\*")
    assert Span("2", frozenset({"sub"})) in spans
    assert Span("code *x*", frozenset({"code"})) in spans
    assert Span("NEJM", frozenset({"link"}), "https://nejm.org") in spans
    assert spans[-1].text.endswith("*not*")
    # a javascript: link is not a link
    assert markup.to_plain("[x](javascript:alert(1))") == "[x](javascript:alert(1))"


def test_blocks_lists_tables_images() -> None:
    text = (
        "Causes of SIADH:\n- CNS disease\n  - meningitis\n- SCLC\n"
        "| drug | dose |\n|---|---|\n| naloxone | 0.4 mg |\n![ECG](media/ecg-1.png)"
    )
    b = markup.blocks(text)
    assert isinstance(b[0], Para)
    assert isinstance(b[1], ListBlock) and [d for d, _ in b[1].items] == [0, 1, 0]
    assert isinstance(b[2], Table) and len(b[2].rows) == 2
    assert b[3] == Image("media/ecg-1.png", "ECG")


def test_to_html_renders_the_allowlist_and_escapes_the_rest() -> None:
    html = markup.to_html(
        "**Give** {{c1::<script>alert(1)</script>}} <b>x</b>\n- a\n![e](media/e.png)"
    )
    assert "<b>Give</b>" in html
    assert "&lt;script&gt;" in html and "<script" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<ul><li>a</li></ul>" in html
    assert '<img src="e.png" alt="e">' in html
    assert "{{c1::" in html  # cloze markers pass through for Anki


def test_image_refs_and_paths_outside_media_are_not_images() -> None:
    text = "![a](media/a.png) and ![b](../etc/passwd) ![c](media/a.png) ![d](media/d.jpg)"
    assert markup.image_refs(text) == ["media/a.png", "media/d.jpg"]


def test_from_html_keeps_the_allowlist() -> None:
    html = (
        "<div><b>Tx</b>: <i>IV</i> fluids<br>then <u>insulin</u></div>"
        "<ul><li>K &lt; 3.5: hold</li><li>2 * 3</li></ul>"
        '<img src="ecg.png" alt="ECG"><script>bad()</script><a href="https://x.org">x</a>'
        "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    )
    text = markup.from_html(html)
    assert "**Tx**: *IV* fluids\nthen <u>insulin</u>" in text
    assert "- K < 3.5: hold" in text
    assert "![ECG](media/ecg.png)" in text
    assert "bad()" not in text
    assert "[x](https://x.org)" in text
    assert markup.to_plain(text).count("2 * 3") == 1
    tables = [b for b in markup.blocks(text) if isinstance(b, Table)]
    assert len(tables) == 1 and len(tables[0].rows) == 2


plain_text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\x00"), max_size=80
)


@settings(max_examples=300, deadline=None)
@given(plain_text)
def test_escaped_text_reads_back_as_itself(text: str) -> None:
    # lines are what markup keeps; leading/trailing spaces of a line are not significant
    line = " ".join(text.split())
    assert markup.to_plain(markup.escape(line)) == line


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_no_tag_outside_the_allowlist_ever_reaches_html(text: str) -> None:
    html = markup.to_html(text)
    tags = {m.lower() for m in re.findall(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)", html)}
    assert tags <= ALLOWED_TAGS
    assert "javascript:" not in " ".join(re.findall(r'href="([^"]*)"', html))


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00\x80")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_media_is_content_addressed_and_deduplicated(tmp_path: Path) -> None:
    png = _png()
    src = tmp_path / "My ECG (V1).PNG"
    src.write_bytes(png)
    ref = media.add_media_file(tmp_path / "col", src)
    assert re.fullmatch(r"media/my-ecg-v1-[0-9a-f]{10}\.png", ref)
    assert media.add_media(tmp_path / "col", png, "other.png").endswith(ref[-15:])
    assert media.list_media(tmp_path / "col") == sorted(
        {ref, media.add_media(tmp_path / "col", png, "other.png")}
    )
    path = media.media_path(tmp_path / "col", ref)
    assert path is not None and path.read_bytes() == png
    assert media.media_path(tmp_path / "col", "media/../settings.toml") is None


@pytest.mark.parametrize(
    ("data", "name", "why"),
    [
        (b"MZ\x90\x00", "virus.exe", "not an image or sound"),
        (b"", "empty.png", "empty file"),
        (b"GIF89a....", "fake.png", "not a PNG"),
    ],
)
def test_media_refuses_what_it_cannot_keep(
    tmp_path: Path, data: bytes, name: str, why: str
) -> None:
    with pytest.raises(media.MediaError, match=why):
        media.add_media(tmp_path, data, name)
    assert not (tmp_path / "media").exists()


def test_media_refuses_a_fifo(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(media.MediaError, match="not a regular file"):
        media.add_media_file(tmp_path, fifo)
