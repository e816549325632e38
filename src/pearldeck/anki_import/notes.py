"""Anki notes into pearl drafts: field roles, deck/tag -> pathway rules, HTML and media."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

from pearldeck.anki_import.types import DELETED_TAG, AnkiData, AnkiNote, NoteType
from pearldeck.drafts import PearlDraft
from pearldeck.model import PATHWAYS, Problem

PROMPT_NAMES = ("text", "front", "question", "prompt")
ANSWER_NAMES = ("back", "answer")
EXTRA_NAMES = ("extra", "back extra", "notes", "explanation")
SOURCE_NAMES = ("source",)
PEARL_ID_FIELD = "pearl id"
ORIGIN_PREFIX = "anki:"
# Tags pearldeck's export adds: the pathway is where a pearl lives, not a tag.
OWN_TAG_PREFIXES = ("pathway::", "pearldeck::")
_TAG_BAD = re.compile(r"[\s,\[\]{}]")


@dataclass(frozen=True, slots=True)
class Roles:
    """Which field of a note type plays which part in a pearl."""

    prompt: int
    answer: int | None
    """None for a cloze type: the prompt holds the deletions."""
    extra: int | None = None
    source: int | None = None
    pearl_id: int | None = None


def field_roles(nt: NoteType) -> Roles | str:
    """The roles of a note type's fields, or why it cannot make pearls."""
    names = [f.strip().casefold() for f in nt.fields]

    def find(wanted: tuple[str, ...], skip: tuple[int | None, ...] = ()) -> int | None:
        for w in wanted:
            if w in names and names.index(w) not in skip:
                return names.index(w)
        return None

    if not names:
        return f"note type {nt.name!r} has no fields"
    prompt = find(PROMPT_NAMES)
    prompt = 0 if prompt is None else prompt
    extra = find(EXTRA_NAMES, (prompt,))
    source = find(SOURCE_NAMES, (prompt, extra))
    pid = find((PEARL_ID_FIELD,), (prompt, extra, source))
    if nt.cloze:
        return Roles(prompt, None, extra, source, pid)
    answer = find(ANSWER_NAMES, (prompt, extra, source, pid))
    if answer is None:
        taken = {prompt, extra, source, pid}
        answer = next((i for i in range(len(names)) if i not in taken), None)
    if answer is None:
        fields = ", ".join(nt.fields)
        return (
            f"note type {nt.name!r} (fields: {fields}) has no field to use as the answer; "
            "pearldeck needs a prompt and an answer, or a cloze"
        )
    return Roles(prompt, answer, extra, source, pid)


@dataclass(frozen=True, slots=True)
class Rule:
    """`--map`: notes in a deck (and its subdecks) or with a tag (and its children) go to a
    pathway."""

    kind: str
    """`deck` or `tag`."""
    key: str
    pathway: str

    def matches(self, deck: str, tags: tuple[str, ...]) -> bool:
        if self.kind == "deck":
            return _under(deck, self.key)
        return any(_under(t, self.key) for t in tags)


def _under(name: str, key: str) -> bool:
    name, key = name.casefold(), key.casefold()
    return name == key or name.startswith(key + "::")


def parse_rule(text: str) -> Rule:
    """`Step2::Cardio=chronic` (a deck) or `tag:ethics=systems-based`; ValueError if bad."""
    key, sep, pathway = text.rpartition("=")
    pathway = pathway.strip()
    if not sep or not key.strip():
        raise ValueError(f"--map {text!r}: write DECK=PATHWAY or tag:TAG=PATHWAY")
    if pathway not in PATHWAYS:
        raise ValueError(
            f"--map {text!r}: unknown pathway {pathway!r}; use one of " + ", ".join(PATHWAYS)
        )
    key = key.strip()
    if key.startswith("tag:"):
        return Rule("tag", key[4:].strip(), pathway)
    return Rule("deck", key.removeprefix("deck:").strip(), pathway)


def pathway_for(
    deck: str, tags: tuple[str, ...], rules: tuple[Rule, ...], default: str | None
) -> str | None:
    """The first rule that covers the note, then pearldeck's own `pathway::` tag, then
    `--pathway`; None when nothing does."""
    for rule in rules:
        if rule.matches(deck, tags):
            return rule.pathway
    for t in tags:
        name = t.casefold().removeprefix("pathway::")
        if name != t.casefold() and name in PATHWAYS:
            return name
    return default


def pearl_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """Anki's tags as pearl tags: the `::` hierarchy kept, pearldeck's own tags dropped."""
    out = (
        _TAG_BAD.sub("_", t) for t in tags if t and not t.casefold().startswith(OWN_TAG_PREFIXES)
    )
    return tuple(dict.fromkeys(out))


_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)("([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_SOUND = re.compile(r"\[sound:([^\]\n]+)\]")
_NO_SRC = re.compile(r'<img\b[^>]*?\bsrc\s*=\s*""[^>]*>', re.I)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def media_names(field_html: str, carried: frozenset[str]) -> list[str]:
    """The media files a field names (`<img src>`, `[sound:]`), as the package calls them."""
    out: list[str] = []
    for m in _IMG_SRC.finditer(field_html):
        src = html.unescape(m.group(3) or m.group(4) or m.group(5) or "")
        if src and not _REMOTE.match(src):
            out.append(src if src in carried or unquote(src) not in carried else unquote(src))
    out += [html.unescape(m.group(1)).strip() for m in _SOUND.finditer(field_html)]
    return out


def to_markup(field_html: str, refs: Mapping[str, str]) -> str:
    """An Anki field as pearl markup; `refs` maps a media name to its `media/...` path."""
    from pearldeck.markup import from_html

    def img(m: re.Match[str]) -> str:
        src = html.unescape(m.group(3) or m.group(4) or m.group(5) or "")
        if src not in refs:
            src = unquote(src)
        ref = refs.get(src)
        # a remote image stays out: pearldeck shows only what the collection holds
        name = ref.removeprefix("media/") if ref else ""
        return f'{m.group(1)}"{html.escape(name)}"'

    def sound(m: re.Match[str]) -> str:
        ref = refs.get(html.unescape(m.group(1)).strip())
        return f'<img src="{html.escape(ref.removeprefix("media/"))}" alt="sound">' if ref else ""

    text = _SOUND.sub(sound, _IMG_SRC.sub(img, field_html))
    text = _NO_SRC.sub("", text)
    return from_html(text).strip()


def _plain(field_html: str) -> str:
    from pearldeck.markup import from_html, to_plain

    return " ".join(to_plain(from_html(field_html)).split())


@dataclass
class NotePlan:
    """What the notes of one file become."""

    new: list[tuple[AnkiNote, PearlDraft]] = field(default_factory=list)
    known: dict[int, str] = field(default_factory=dict)
    """Note id -> the pearl it already is (pearldeck's own note, or imported before)."""
    problems: list[Problem] = field(default_factory=list)
    unmapped_decks: Counter[str] = field(default_factory=Counter)
    unmapped_tags: Counter[str] = field(default_factory=Counter)
    unmapped: int = 0
    """Notes no rule gives a pathway."""
    deleted: int = 0
    """pearldeck's own notes of pearls deleted here: never brought back."""
    media: dict[str, None] = field(default_factory=dict)
    """Every media name the new notes use, in order."""


def note_deck(data: AnkiData) -> dict[int, str]:
    """Each note's deck: the home deck of its first card."""
    out: dict[int, str] = {}
    for c in data.cards:
        out.setdefault(c.note_id, data.decks.get(c.deck_id, ""))
    return out


def plan_notes(
    data: AnkiData,
    rules: tuple[Rule, ...],
    default: str | None,
    known: Mapping[str, str],
    pearl_ids: frozenset[str],
    resolve: Callable[[str], str | None] | None = None,
    gone: frozenset[str] = frozenset(),
) -> NotePlan:
    """Sort the notes into new pearls and known ones; `known` maps a GUID to its pearl.

    `resolve` gives the `media/...` path a media file of the package will be kept under,
    or None when it cannot be kept (it reports why); without it the drafts name media as
    the package does.
    """
    plan = NotePlan()
    decks = note_deck(data)
    roles: dict[int, Roles | str] = {}
    reported: set[int] = set()
    for note in data.notes:
        nt = data.note_types.get(note.type_id)
        if nt is None:
            plan.problems.append(_problem(data, note, None, "its note type is missing"))
            continue
        r = roles.get(nt.id) or roles.setdefault(nt.id, field_roles(nt))
        pid = known.get(note.guid)
        if pid is None and not isinstance(r, str) and r.pearl_id is not None:
            value = _plain(_field(note, r.pearl_id))
            pid = value if value in pearl_ids else None
        if pid is not None:
            plan.known[note.id] = pid
            continue
        if _was_deleted(note, r, gone):
            plan.deleted += 1
            continue
        if isinstance(r, str):
            if nt.id not in reported:  # once per note type, not once per note
                plan.problems.append(Problem(data.path, 0, r))
                reported.add(nt.id)
            continue
        deck = decks.get(note.id, "")
        pathway = pathway_for(deck, note.tags, rules, default)
        if pathway is None:
            plan.unmapped += 1
            plan.unmapped_decks[deck] += 1
            plan.unmapped_tags.update(pearl_tags(note.tags))
            continue
        draft = _draft(data, note, nt, r, pathway, resolve, plan)
        if draft is not None:
            plan.new.append((note, draft))
    return plan


def _was_deleted(note: AnkiNote, r: Roles | str, gone: frozenset[str]) -> bool:
    """A note pearldeck marked deleted, or whose Pearl ID names a pearl deleted here."""
    if any(t.casefold() == DELETED_TAG for t in note.tags):
        return True
    return (
        not isinstance(r, str)
        and r.pearl_id is not None
        and (_plain(_field(note, r.pearl_id)) in gone)
    )


def _field(note: AnkiNote, i: int | None) -> str:
    return note.fields[i] if i is not None and i < len(note.fields) else ""


def _problem(data: AnkiData, note: AnkiNote, nt: NoteType | None, message: str) -> Problem:
    kind = f"{nt.name}, " if nt else ""
    return Problem(data.path, 0, f"note {note.guid} ({kind}added {_added(note)}): {message}")


def _added(note: AnkiNote) -> str:
    try:
        return datetime.fromtimestamp(note.id / 1000, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return "1970-01-01"


def _draft(
    data: AnkiData,
    note: AnkiNote,
    nt: NoteType,
    r: Roles,
    pathway: str,
    resolve: Callable[[str], str | None] | None,
    plan: NotePlan,
) -> PearlDraft | None:
    used = [i for i in (r.prompt, r.answer, r.extra) if i is not None]
    names = [n for i in used for n in media_names(_field(note, i), data.media)]
    missing = [n for n in names if n not in data.media]
    if missing:
        plan.problems.append(
            _problem(data, note, nt, f"media file {missing[0]!r} is missing from the file")
        )
        return None
    plan.media.update(dict.fromkeys(names))
    given: dict[str, str] = {}
    for n in names:
        ref = f"media/{n}" if resolve is None else resolve(n)
        if ref is None:
            return None
        given[n] = ref
    text = to_markup(_field(note, r.prompt), given)
    back = to_markup(_field(note, r.answer), given) if r.answer is not None else None
    notes = to_markup(_field(note, r.extra), given) if r.extra is not None else ""
    source = _plain(_field(note, r.source)) if r.source is not None else ""
    if not text:
        plan.problems.append(
            _problem(data, note, nt, f"its {nt.fields[r.prompt]!r} field is empty")
        )
        return None
    if back is not None and not back and r.answer is not None:
        plan.problems.append(
            _problem(data, note, nt, f"its {nt.fields[r.answer]!r} field is empty")
        )
        return None
    return PearlDraft(
        pathway=pathway,
        text=text,
        back=back,
        tags=pearl_tags(note.tags),
        source=source or None,
        added=_added(note),
        origin=f"{ORIGIN_PREFIX}{note.guid}",
        notes=notes or None,
    )
