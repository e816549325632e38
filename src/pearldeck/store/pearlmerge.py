"""Merge three versions of a pearl file by pearl id, keeping each pearl's lines as written.

Pure: text in, text out. Git's line merge (even `merge=union`) can attach one pearl's
edited lines to its neighbour; here each pearl is one block of lines keyed by its id,
so adds from both sides are kept, an edit from one side is taken, a pearl edited on
both sides is kept twice, marked for `pearls check`, and never silently picked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pearldeck.store.yamlfile import parse_pearl_file

CONFLICT_KEY = "conflict"
"""Marks each version of a pearl edited on both sides; `check` names them by id."""


@dataclass(frozen=True)
class _Block:
    key: str
    lines: tuple[str, ...]
    values: dict[str, object]


@dataclass(frozen=True)
class _Split:
    head: tuple[str, ...]
    blocks: tuple[_Block, ...]
    column: int


@dataclass
class Merged:
    """The merged text, and what a user should hear about it."""

    text: str
    conflicts: list[str] = field(default_factory=list)
    """Pearls edited on both sides: kept twice, to resolve by hand (exit non-zero)."""
    notes: list[str] = field(default_factory=list)
    """What was decided that a user may want to know (an edit kept over a delete)."""


def _key(values: dict[str, object]) -> str:
    pid = values.get("id")
    if isinstance(pid, str):
        return f"id:{pid}"
    return f"text:{values.get('text')!r}\0{values.get('back')!r}"


def _split(text: str, pathway: str) -> _Split | None:
    """Header lines and one block of lines per pearl; None if the layout is not a plain
    block list of pearls with one key each (a line merge decides then)."""
    parsed = parse_pearl_file(text, "", pathway)
    if any("YAML" in p.message or "list" in p.message for p in parsed.problems):
        return None
    if not parsed.block_list or any(r.flow for r in parsed.pearls):
        return None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    col = parsed.list_column
    starts: list[int] = []
    for raw in parsed.pearls:
        i = raw.line - 1
        while i >= 0 and not _is_item(lines[i], col):
            i -= 1
        if i < 0 or (starts and i <= starts[-1]):
            return None
        starts.append(i)
    # a comment right above a pearl (no blank line between) belongs to that pearl; above
    # the first one it is the file's header, and stays where it is
    firsts = starts[:1]
    for k in range(1, len(starts)):
        i = starts[k]
        while i > starts[k - 1] + 1 and lines[i - 1].lstrip().startswith("#"):
            i -= 1
        firsts.append(i)
    keys = [_key(r.values) for r in parsed.pearls]
    if len(set(keys)) != len(keys):
        return None  # an id twice already: a problem for check, not for a merge to guess
    ends = [*firsts[1:], len(lines)]
    blocks = tuple(
        _Block(k, tuple(lines[a:b]), dict(r.values))
        for k, a, b, r in zip(keys, firsts, ends, parsed.pearls, strict=True)
    )
    return _Split(tuple(lines[: firsts[0]] if firsts else lines), blocks, col)


def _is_item(line: str, col: int) -> bool:
    return (
        line[:col].strip() == ""
        and line[col : col + 1] == "-"
        and line[col + 1 : col + 2]
        in (
            " ",
            "\n",
            "\r",
            "",
        )
    )


def _pick3(
    base: tuple[str, ...], ours: tuple[str, ...], theirs: tuple[str, ...]
) -> tuple[str, ...]:
    if ours == base:
        return theirs
    return ours


def merge_pearl_files(base: str, ours: str, theirs: str, pathway: str) -> Merged | None:
    """`ours` with `theirs`' changes since `base`, by pearl id; None if a file is not
    laid out so that pearls can be told apart (then a line merge must decide)."""
    b, o, t = _split(base, pathway), _split(ours, pathway), _split(theirs, pathway)
    if b is None or o is None or t is None:
        return None
    if t.blocks and o.blocks and t.column != o.column:
        return None  # theirs indented differently: its blocks would not fit in ours
    out = Merged("")
    bm = {x.key: x for x in b.blocks}
    om = {x.key: x for x in o.blocks}
    tm = {x.key: x for x in t.blocks}
    order = _order([x.key for x in o.blocks], [x.key for x in t.blocks])
    result: list[str] = list(_pick3(b.head, o.head, t.head))
    if o.head != b.head and t.head != b.head and o.head != t.head:
        result += [line for line in t.head if line not in o.head]
    for key in order:
        was, mine, their = bm.get(key), om.get(key), tm.get(key)
        name = _name(mine or their or was)
        if mine is not None and their is not None:
            if mine.values == their.values:
                result += mine.lines if was is None or mine.lines != was.lines else their.lines
            elif was is not None and mine.values == was.values:
                result += their.lines
            elif was is not None and their.values == was.values:
                result += mine.lines
            else:
                out.conflicts.append(f"pearl {name} was edited on both sides: both kept")
                result += _mark(mine.lines, o.column, "this side")
                result += _mark(their.lines, o.column, "the other side")
        elif mine is not None:  # theirs deleted it, or ours added it
            if was is None:
                result += mine.lines
            elif mine.values != was.values:
                out.notes.append(f"pearl {name}: deleted on one side, edited on the other: kept")
                result += mine.lines
        elif their is not None:
            if was is None:
                result += their.lines
            elif their.values != was.values:
                out.notes.append(f"pearl {name}: deleted on one side, edited on the other: kept")
                result += their.lines
    out.text = "".join(result)
    if not _reads_back(out.text, pathway, len(out.conflicts)):
        return None
    return out


def _name(block: _Block | None) -> str:
    if block is None:  # pragma: no cover - every key comes from some side
        return "?"
    pid = block.values.get("id")
    return str(pid) if isinstance(pid, str) else repr(block.values.get("text"))


def _order(ours: list[str], theirs: list[str]) -> list[str]:
    """Ours' order, each of theirs' own pearls placed after its neighbour in theirs."""
    out = list(ours)
    seen = set(out)
    for i, key in enumerate(theirs):
        if key in seen:
            continue
        at = 0
        for prev in reversed(theirs[:i]):
            if prev in seen:
                at = out.index(prev) + 1
                break
        out.insert(at, key)
        seen.add(key)
    return out


def _mark(lines: tuple[str, ...], column: int, side: str) -> list[str]:
    """The pearl's lines with a `conflict:` key after its first line (a pearl is a block
    mapping here, so a key at the first key's column is read as one of its keys)."""
    first = next((i for i, line in enumerate(lines) if _is_item(line, column)), 0)
    item = lines[first]
    key_col = column + 2
    if item.strip() == "-":  # `-` alone: keys below it
        nxt = lines[first + 1] if first + 1 < len(lines) else ""
        key_col = len(nxt) - len(nxt.lstrip(" "))
    note = (
        f"{' ' * key_col}{CONFLICT_KEY}: edited on two machines, this is {side}'s version; "
        "keep one, delete the other and this line\n"
    )
    where = first + 1
    # after the first line's value (a block scalar's lines belong to it: go past them)
    while where < len(lines) and len(lines[where]) - len(lines[where].lstrip(" ")) > key_col:
        where += 1
    return [*lines[:where], note, *lines[where:]]


def _reads_back(text: str, pathway: str, conflicts: int) -> bool:
    """The merge is only kept if it parses as a plain list of pearls."""
    parsed = parse_pearl_file(text, "", pathway)
    if any("YAML" in p.message or "list" in p.message for p in parsed.problems):
        return False
    marked = sum(1 for r in parsed.pearls if CONFLICT_KEY in r.values)
    return marked == 2 * conflicts
