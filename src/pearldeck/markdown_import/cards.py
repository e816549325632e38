"""Card recognisers: split a prompt from its answer, read clozes and highlights."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pearldeck.markdown_import.common import _HIGHLIGHT, MAX_CLOZES, MAX_PEARL_CHARS, _Bad, _quote


def _strip_mark(mark: re.Pattern[str], text: str) -> str:
    m = mark.match(text)
    return text[m.end() :].strip() if m else text


def _scan_clozes(text: str) -> tuple[list[tuple[int, int, int, str]], int | None]:
    """Clozes as CLOZE_RE reads them, as (start, end, number, hidden words), by find() so it
    stays linear; also where the first unclosed `{{cN::` starts, if any."""
    spans: list[tuple[int, int, int, str]] = []
    i = 0
    while (start := text.find("{{c", i)) >= 0:
        j = k = start + 3
        while k < len(text) and k - j < 4 and text[k].isdecimal():
            k += 1
        if not 1 <= k - j <= 3 or not text.startswith("::", k):
            i = start + 1
            continue
        close = text.find("}}", k + 2)
        if close < 0:
            return spans, start
        spans.append((start, close + 2, int(text[j:k]), text[k + 2 : close].partition("::")[0]))
        i = close + 2
    return spans, None


@dataclass(frozen=True)
class Separators:
    """The plugin's card separators: one-line (`::`, reversed `:::`), multi-line (`?`, `??`)."""

    inline: str = "::"
    multiline: str = "?"

    @property
    def inline_reversed(self) -> str:
        return self.inline + self.inline[-1]

    @property
    def multiline_reversed(self) -> str:
        return self.multiline + self.multiline


def _find_split(
    text: str, spans: list[tuple[int, int, int, str]], sep: Separators
) -> tuple[int, int, bool] | None:
    """(start, end, reversed?) of the first separator outside a cloze or highlight."""
    if "==" in text:
        marks = [(m.start(), m.end(), 0, "") for m in _HIGHLIGHT.finditer(text)]
        spans = sorted([*spans, *marks]) if marks else spans
    i, s = 0, 0
    mark = sep.inline
    while (p := text.find(mark, i)) >= 0:
        while s < len(spans) and spans[s][1] <= p:
            s += 1
        if s < len(spans) and spans[s][0] <= p:
            i = spans[s][1]
            continue
        j = p
        while j > 0 and p - j < 8 and text[j - 1].isdecimal():
            j -= 1
        if j < p and text.endswith("{{c", 0, j):  # `{{c1234::`: a broken cloze, no split
            i = p + len(mark)
            continue
        if text.startswith(sep.inline_reversed, p):
            return p, p + len(sep.inline_reversed), True
        return p, p + len(mark), False
    return None


def _check_clozes(text: str, back: str | None) -> None:
    """Raise _Bad unless CLOZE_RE will read the final text as intended: a cloze pearl's
    clozes numbered from 1 and not empty, a question/answer pearl with none."""
    spans, unclosed = _scan_clozes(text)
    if back is not None:
        if spans or unclosed is not None or _scan_clozes(back) != ([], None):
            raise _Bad("a question/answer pearl cannot hold a cloze {{c1::…}}")
        return
    if unclosed is not None:
        raise _Bad(f"cloze {_quote(text[unclosed:], 20)} is not closed: end it with '}}}}'")
    for _, _, number, hidden in spans:
        if number == 0:
            raise _Bad("cloze numbers start at 1: use {{c1::…}}")
        if not hidden.strip():
            raise _Bad(f"empty cloze {{{{c{number}::}}}}: put the hidden words in it")
    if not spans:
        raise _Bad("a cloze pearl needs a cloze {{c1::…}}")


def _unhighlight(text: str) -> str:
    return _HIGHLIGHT.sub(r"\1", text) if "==" in text else text


def _pearl(text: str, sep: Separators) -> list[tuple[str, str | None]] | None:
    """The pearls (text, back) of a one-line card, None if it is no card; raises _Bad.

    `q::a` is one pearl, `q:::a` two (one each way), a cloze or highlights one."""
    spans, unclosed = _scan_clozes(text)
    if unclosed is not None:
        raise _Bad(f"cloze {_quote(text[unclosed:], 20)} is not closed: end it with '}}}}'")
    split = _find_split(text, spans, sep)
    if split is not None:
        start, end, both_ways = split
        mark = sep.inline_reversed if both_ways else sep.inline
        if spans:
            raise _Bad(f"a pearl is either 'prompt {mark} answer' or a cloze, not both")
        prompt, answer = text[:start].strip(), text[end:].strip()
        if not prompt:
            raise _Bad(f"nothing before ' {mark} ': write the prompt there")
        if not answer:
            raise _Bad(f"nothing after ' {mark} ': write the answer there")
        prompt, answer = _unhighlight(prompt), _unhighlight(answer)
        return [(prompt, answer), (answer, prompt)] if both_ways else [(prompt, answer)]
    cloze = _cloze(text, spans)
    return None if cloze is None else [(cloze, None)]


def _cloze(text: str, spans: list[tuple[int, int, int, str]]) -> str | None:
    """The text of a cloze pearl: `{{c1::…}}` as written, or highlights numbered c1, c2…"""
    if spans:
        return _unhighlight(text)  # _check_clozes checks each one
    marks = list(_HIGHLIGHT.finditer(text))
    if not marks:
        return None
    if len(marks) > MAX_CLOZES:
        raise _Bad(f"more than {MAX_CLOZES} highlights in one pearl")
    if any("{{" in m.group(1) or "}}" in m.group(1) for m in marks):
        raise _Bad("a ==highlight== cannot hold '{{' or '}}'")
    numbers = iter(range(1, len(marks) + 1))
    return _HIGHLIGHT.sub(lambda m: f"{{{{c{next(numbers)}::{m.group(1)}}}}}", text)


def card_key(front: str) -> str:
    """A card's identity in its note: its front, case and spacing aside, hashed."""
    words = " ".join(front.casefold().split())
    return hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()


_QUESTION_HEADING = re.compile(r"(?:q|question)\s*(?::\s*(.*))?", re.I | re.S)
_ANSWER_HEADING = re.compile(r"(?:a|answer)\s*(?::\s*(.*))?", re.I | re.S)


def question_heading(text: str) -> str | None:
    """The question a `## Question` / `## Question: …` heading starts, or None."""
    m = _QUESTION_HEADING.fullmatch(text.strip())
    return None if m is None else (m.group(1) or "").strip()


def check_size(front: str, back: str, what: str = "card") -> None:
    size = len(front) + len(back)
    if size > MAX_PEARL_CHARS:
        raise _Bad(f"{what} is {size:,} characters long; the limit is {MAX_PEARL_CHARS:,}")
