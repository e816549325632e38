"""Style warnings for pearls: the mechanical rules of a good pearl (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pearldeck.model import CLOZE_RE, Pearl

# a cloze longer than this hides a list or a sentence, not one decision
MAX_CLOZE_WORDS = 8

NO_SOURCE = "pearl has no source: name the guideline and its year"
GIVEN_AWAY = "cloze c{n} answer {answer!r} also appears elsewhere in the card"
TOO_LONG = "cloze c{n} hides {words} words (more than {limit}): ask for one fact"


@dataclass(frozen=True, slots=True)
class StyleWarning:
    """One style rule a pearl breaks; shown as `warning: path:line: message`."""

    line: int
    """1-based line where the pearl starts in its file."""
    message: str


def lint(pearl: Pearl) -> list[StyleWarning]:
    """Every style warning for one pearl, in a stable order."""
    out: list[StyleWarning] = []
    if not (pearl.source or "").strip():
        out.append(StyleWarning(pearl.line, NO_SOURCE))
    if pearl.is_cloze:
        out.extend(StyleWarning(pearl.line, m) for m in cloze_messages(pearl.text))
    return out


def cloze_messages(text: str) -> list[str]:
    """Give-aways and overlong answers among the deletions of a cloze text."""
    out: list[str] = []
    seen: set[tuple[int, str]] = set()
    for m in CLOZE_RE.finditer(text):
        n, answer = int(m.group(1)), m.group(2).strip()
        if not answer or (n, answer.casefold()) in seen:
            continue
        seen.add((n, answer.casefold()))
        words = len(answer.split())
        if words > MAX_CLOZE_WORDS:
            out.append(TOO_LONG.format(n=n, words=words, limit=MAX_CLOZE_WORDS))
        if _appears(answer, _rest_of_card(text, n)):
            out.append(GIVEN_AWAY.format(n=n, answer=answer))
    return out


def _rest_of_card(text: str, n: int) -> str:
    """What the student sees while card `n` is asked: its deletions gone, others shown."""

    def sub(m: re.Match[str]) -> str:
        if int(m.group(1)) == n:
            return f" {m.group(3) or ''} "  # the hint is on screen too
        return m.group(2)

    return CLOZE_RE.sub(sub, text)


def _appears(answer: str, rest: str) -> bool:
    """Whole-word, case-insensitive: `ACE` is not found in `space`, but is in `an ACE inhibitor`."""
    words = answer.split()
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.search(pattern, rest, re.IGNORECASE) is not None
