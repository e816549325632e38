"""Note files to checked cards, parsing only the notes that changed since the last import.

Each note's parse (its cards, checked by the collection's rules, and its problems) is kept
in `.cache/notes/`, one JSON file per note and set of import options. A note whose bytes
hash the same, under the same options and the same parser, is not parsed again, as a pearl
file is not; the images it named are looked up again, and a different answer means a parse.
The cache is only a cache: unreadable, stale or foreign entries are parsed again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pearldeck.atomicfile import replace_cache
from pearldeck.drafts import PearlDraft
from pearldeck.markdown_import.common import MAX_BYTES, ImportDefaults, Schedule
from pearldeck.markdown_import.sync import NoteCard
from pearldeck.model import Problem
from pearldeck.services.forked import split_map

MAX_IMPORT_FILES = 10_000
CACHE_VERSION = 1
_PARSER = Path(__file__).resolve().parent.parent / "markdown_import"
_FIELDS = ("pathway", "text", "back", "tags", "source", "block", "origin", "context")

Validate = Callable[[PearlDraft, str], list[Problem]]


@dataclass
class NoteCards:
    """Every card of the notes, checked, with what was wrong or worth a note."""

    cards: list[NoteCard] = field(default_factory=list)
    """The valid cards, in file order."""
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    skipped: int = 0
    parsed: int = 0
    """How many note files were parsed (the rest came from the cache)."""
    files: int = 0
    """How many note files were read."""


@dataclass
class _Entry:
    """One note's parse: what `read_note_cards` needs to skip parsing it next time."""

    digest: str
    cards: list[tuple[NoteCard, list[Problem]]]
    problems: list[Problem]
    notes: list[Problem]
    skipped: int
    media: list[tuple[str, str, str | None]]
    """Each image lookup the parse made (note, target, answer), to be made again."""


def read_note_cards(
    paths: Sequence[str], defaults: ImportDefaults, validate: Validate, cache: Path | None
) -> NoteCards:
    """The cards of every file and folder in `paths` (`-` is stdin); `cache` is the folder
    for parses kept between runs, or None to keep none."""
    out = NoteCards()
    inputs = _inputs(paths, out.problems)
    out.files = len(inputs)
    print_key = _options_key(defaults)
    entries: list[_Entry | None] = []
    places: list[Path | None] = []
    digests = [hashlib.blake2b(data, digest_size=16).hexdigest() for _, data in inputs]
    for (name, _), digest in zip(inputs, digests, strict=True):
        where = None if cache is None or name == "<stdin>" else cache / _file_key(name, print_key)
        places.append(where)
        entries.append(_load(where, digest, defaults) if where is not None else None)
    todo = [i for i, e in enumerate(entries) if e is None]

    def parse(i: int) -> _Entry:
        """One note's parse, kept for next time (a forked child keeps its own half)."""
        name, data = inputs[i]
        entry = _parse(name, data, digests[i], defaults, validate)
        where = places[i]
        if where is not None:
            _store(where, entry)
        return entry

    for i, (entry, remote) in zip(
        todo, split_map(parse, todo, [len(inputs[i][1]) for i in todo]), strict=True
    ):
        if remote and not _replay(entry.media, defaults):  # an image changed meanwhile: again, here
            entry = parse(i)
        entries[i] = entry
        out.parsed += 1
    for done in entries:
        if done is None:  # pragma: no cover - every index of todo was filled above
            continue
        for card, problems in done.cards:
            if problems:
                out.problems.extend(problems)
            else:
                out.cards.append(card)
        out.problems.extend(done.problems)
        out.notes.extend(done.notes)
        out.skipped += done.skipped
    return out


def _replay(media: Sequence[tuple[str, str, str | None]], defaults: ImportDefaults) -> bool:
    """Make a parse's image lookups again, here (they register the copies); False if any
    answer differs now."""
    look = defaults.media
    if not media:
        return True
    return look is not None and all(look(n, t) == a for n, t, a in media)


def _inputs(paths: Sequence[str], problems: list[Problem]) -> list[tuple[str, bytes]]:
    """Files, folders (every *.md below) and `-` for stdin, each as (display path, bytes)."""
    out: list[tuple[str, bytes]] = []

    def read(path: Path) -> None:
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                problems.append(
                    Problem(str(path), 0, f"larger than {MAX_BYTES // 2**20} MB; split it")
                )
                return
            out.append((str(path), path.read_bytes()))
        except OSError as e:
            problems.append(Problem(str(path), 0, f"cannot read: {e.strerror or e}"))

    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                problems.append(Problem("<stdin>", 0, "input too large; split it"))
            else:
                out.append(("<stdin>", data))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*.md") if p.is_file() and ".obsidian" not in p.parts
            )
            if len(found) > MAX_IMPORT_FILES:
                problems.append(Problem(raw, 0, f"more than {MAX_IMPORT_FILES} markdown files"))
                continue
            for p in found:
                read(p)
        elif path.exists():
            read(path)
        else:
            problems.append(Problem(raw, 0, "no such file or folder"))
    return out


def _parse(
    name: str, data: bytes, digest: str, defaults: ImportDefaults, validate: Validate
) -> _Entry:
    from pearldeck.markdown_import import decode_markdown, parse_markdown

    media: list[tuple[str, str, str | None]] = []
    look = defaults.media
    if look is not None:

        def recorded(note: str, target: str) -> str | None:
            answer = look(note, target)
            media.append((note, target, answer))
            return answer

        defaults = _with_media(defaults, recorded)
    text, problems = decode_markdown(data, name)
    if text is None:
        return _Entry(digest, [], problems, [], 0, media)
    parsed = parse_markdown(text, name, defaults)
    cards = []
    for i, draft in enumerate(parsed.drafts):
        key = parsed.keys[i] if i < len(parsed.keys) else ""
        sched = parsed.schedules[i] if i < len(parsed.schedules) else ()
        card = NoteCard(draft, name, key, sched)
        cards.append((card, validate(draft, draft.origin or "<input>")))
    return _Entry(digest, cards, [*problems, *parsed.problems], parsed.notes, parsed.skipped, media)


def _with_media(
    defaults: ImportDefaults, media: Callable[[str, str], str | None]
) -> ImportDefaults:
    from dataclasses import replace

    return replace(defaults, media=media)


# --- the cache ---


def _options_key(defaults: ImportDefaults) -> str:
    """What else decides a parse: the options, and the parser's own files."""
    try:
        stats = [(p.name, p.stat()) for p in _PARSER.glob("*.py")]
        parser = sorted((name, st.st_size, st.st_mtime_ns) for name, st in stats)
    except OSError:
        parser = []
    d = defaults
    options = [
        CACHE_VERSION,
        d.pathway,
        list(d.tags),
        d.source,
        d.block,
        d.inline_sep,
        d.multiline_sep,
        d.bold_cloze,
        d.media is not None,
        parser,
    ]
    return json.dumps(options, default=str)


def _file_key(name: str, options: str) -> str:
    data = f"{name}\x00{options}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest() + ".json"


def _problem(p: Problem) -> list[object]:
    return [p.path, p.line, p.message, p.kind]


def _unproblem(v: list[object]) -> Problem:
    path, line, message, kind = v
    if not (isinstance(path, str) and isinstance(line, int)):
        raise ValueError("not a problem")
    return Problem(path, line, str(message), str(kind))


def _store(where: Path, entry: _Entry) -> None:
    """Write one note's parse; a failure only costs a parse next time."""
    cards = [
        {
            "f": [getattr(c.draft, k) if k != "tags" else list(c.draft.tags) for k in _FIELDS],
            "n": c.note,
            "k": c.key,
            "s": [
                None if s is None else [s.due.isoformat(), s.interval, s.ease] for s in c.schedules
            ],
            "p": [_problem(p) for p in problems],
        }
        for c, problems in entry.cards
    ]
    data = {
        "digest": entry.digest,
        "cards": cards,
        "problems": [_problem(p) for p in entry.problems],
        "notes": [_problem(p) for p in entry.notes],
        "skipped": entry.skipped,
        "media": entry.media,
    }
    replace_cache(where, json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass"))


def _load(where: Path, digest: str, defaults: ImportDefaults) -> _Entry | None:
    """The kept parse of a note with these bytes, or None: absent, stale or unreadable."""
    try:
        raw = where.read_bytes()
        d = json.loads(raw.decode("utf-8", "surrogatepass"))
        if d["digest"] != digest:
            return None
        media = [(str(n), str(t), None if a is None else str(a)) for n, t, a in d["media"]]
        if not _replay(media, defaults):  # the images it named must still be what they were
            return None
        cards = []
        for c in d["cards"]:
            values = dict(zip(_FIELDS, c["f"], strict=True))
            tags = values.pop("tags")
            if not all(v is None or isinstance(v, str) for v in values.values()):
                return None
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                return None
            draft = PearlDraft(**values, tags=tuple(tags))
            schedules = tuple(
                None if s is None else Schedule(date.fromisoformat(s[0]), int(s[1]), int(s[2]))
                for s in c["s"]
            )
            card = NoteCard(draft, str(c["n"]), str(c["k"]), schedules)
            cards.append((card, [_unproblem(p) for p in c["p"]]))
        return _Entry(
            digest,
            cards,
            [_unproblem(p) for p in d["problems"]],
            [_unproblem(p) for p in d["notes"]],
            int(d["skipped"]),
            media,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
