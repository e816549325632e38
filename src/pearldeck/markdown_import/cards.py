"""Card recognisers: split a prompt from its answer, read clozes and highlights."""

from __future__ import annotations

import re

from pearldeck.markdown_import.common import _HIGHLIGHT, MAX_CLOZES, _Bad, _quote


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


def _find_split(text: str, spans: list[tuple[int, int, int, str]]) -> int | None:
    """Index of the first ` :: ` (or one at an end) outside a cloze; text is collapsed."""
    i, s = 0, 0
    while (p := text.find("::", i)) >= 0:
        while s < len(spans) and spans[s][1] <= p:
            s += 1
        if s < len(spans) and spans[s][0] <= p:
            i = spans[s][1]
            continue
        if (p == 0 or text[p - 1] == " ") and (p + 2 == len(text) or text[p + 2] == " "):
            return p
        i = p + 1
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


def _pearl(text: str) -> tuple[str, str | None] | None:
    """(text, back) of a list item's text, None if it is no pearl; raises _Bad."""
    spans, unclosed = _scan_clozes(text)
    if unclosed is not None:
        raise _Bad(f"cloze {_quote(text[unclosed:], 20)} is not closed: end it with '}}}}'")
    split = _find_split(text, spans)
    if split is not None:
        if spans:
            raise _Bad("a pearl is either 'prompt :: answer' or a cloze, not both")
        prompt, answer = text[:split].strip(), text[split + 2 :].strip()
        if not prompt:
            raise _Bad("nothing before ' :: ': write the prompt there")
        if not answer:
            raise _Bad("nothing after ' :: ': write the answer there")
        return _unhighlight(prompt), _unhighlight(answer)
    if spans:
        return _unhighlight(text), None  # _check_clozes checks each one
    marks = list(_HIGHLIGHT.finditer(text))
    if not marks:
        return None
    if len(marks) > MAX_CLOZES:
        raise _Bad(f"more than {MAX_CLOZES} highlights in one pearl")
    if any("{{" in m.group(1) or "}}" in m.group(1) for m in marks):
        raise _Bad("a ==highlight== cannot hold '{{' or '}}'")
    numbers = iter(range(1, len(marks) + 1))
    return _HIGHLIGHT.sub(lambda m: f"{{{{c{next(numbers)}::{m.group(1)}}}}}", text), None
