"""Fuzzing pearl files and markdown imports with hypothesis, and replaying a saved corpus.

Pearl files are built from pieces that matter to YAML (tricky scalars, keys, indents,
flow and block styles, anchors, tags, directives, comments, tabs, odd line ends, a BOM)
or are raw bytes, and are opened as a collection would open them. Markdown is built from
what the importer reads (headings, items, clozes, highlights, Q:/A:, front matter,
code, HTML, tags, nesting) and goes through `pearls import`. Every time: no exception
escapes; every problem is one line shaped `path:line: message` (or `path: message` for
the whole file); the work is bounded (a budget of calls, linear in the input); a file the
tool rewrites to add ids still reads back as the same pearls; and imported pearls read back
exactly as parsed.

Every input that ever broke one of these rules is kept in tests/corpus/ (`yaml/`,
`markdown/`) and replayed by `test_the_saved_corpus_still_passes_*`. A failing run saves
its (shrunk) input there too, as `new-crasher.*`, to be renamed and kept once fixed.

Examples: PEARLDECK_FUZZ_EXAMPLES (default 300 each; PEARLDECK_LONG=1: 10,000 each).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pearldeck.collection import Collection
from pearldeck.markdown_import import ImportDefaults, decode_markdown, parse_markdown
from pearldeck.model import ID_RE
from pearldeck.store.layout import init_collection
from pearldeck.store.yamlfile import parse_pearl_file
from tests.budget import budget, counted
from tests.reliability.common import count, invoke

EXAMPLES = count(300, 10_000, "PEARLDECK_FUZZ_EXAMPLES")
CORPUS = Path(__file__).parent / "corpus"
PROBLEM = re.compile(r"^[^\n]+?(:\d+)?: [^\n]+$")
FIGURES = {"yaml": 0, "markdown": 0, "ids_written": 0, "imported": 0}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # `fresh` puts the files back on every call
    ],
)

# ---------------------------------------------------------------- pearl files

TRICKY = [
    "NO", "ON", "off", "yes", "y", "1:2", "1.10", "017", "0x1F", "0o17", "1e3", ".inf", "-.NaN",
    "2026-11-27", "2026-11-27T10:00:00Z", "~", "null", "Null", "true", "=", "<<", "!!str x",
    "!x y", "&a x", "*a", "|", ">", "|-", ">+2", "'single'", '"double"', '"esc \\u00e9 \\n"',
    '"bad \\q"', "'it''s'", "[a, b]", "[a, [b]]", "{a: b}", "{c1}", "{{c1::x}}",
    "{{c1::a::hint}}", "{{c0::z}}", "{{c1::}}", "a #b", "a# b", "#c", "C#", "x:", "x: y",
    "- a", "? q", ": v", "%TAG", "@x", "`x`", "...", "---", "a\tb", "\t", " ", "",
    "é ü 漢字 🧠", "\u2028", "\u0085", "\ufeff", "\x00", "\x7f", "\ud7ff", "a" * 300,
]  # fmt: skip
KEYS = ["id", "text", "back", "tags", "source", "added", "block", "origin", "Text", "txt", "<<"]
IDS = ["abc123", "k3f9qz", "dup111", "ABC", "x", "a" * 17, "1234", "ab12 cd"]

scalar = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=16),
)


@st.composite
def pearl_block(draw: st.DrawFn) -> str:
    """One list item, mostly well formed, with tricky keys, values and layout."""
    indent = " " * draw(st.sampled_from([0, 0, 0, 2, 4, 1]))
    pairs: list[tuple[str, str]] = []
    if draw(st.booleans()):
        pairs.append(("id", draw(st.sampled_from(IDS))))
    pairs.append(("text", draw(st.one_of(scalar, st.just("Q {{c1::a}} {{c2::b}}")))))
    for _ in range(draw(st.integers(0, 3))):
        pairs.append((draw(st.sampled_from(KEYS)), draw(scalar)))
    style = draw(st.sampled_from(["block", "block", "block", "flow", "literal"]))
    if style == "flow":
        body = ", ".join(f"{k}: {v}" for k, v in pairs)
        return f"{indent}- {{{body}}}\n"
    lines = []
    for i, (k, v) in enumerate(pairs):
        lead = f"{indent}- " if i == 0 else f"{indent}  "
        if style == "literal" and k == "text":
            lines.append(f"{lead}{k}: |\n{indent}    {v}\n{indent}    more")
        else:
            lines.append(f"{lead}{k}: {v}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["# note", "", "  # x", "\t", "---", "..."])))
    return "\n".join(lines) + "\n"


@st.composite
def pearl_file(draw: st.DrawFn) -> bytes:
    head = draw(st.sampled_from(["", "", "# Acute care\n", "%YAML 1.1\n---\n", "---\n", "[]\n"]))
    body = "".join(draw(st.lists(pearl_block(), max_size=6)))
    text = head + body
    if draw(st.integers(0, 4)) == 0:  # a random cut or splice, as a hand edit might make
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(scalar) + text[at + draw(st.integers(0, 5)) :]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    data = text.replace("\n", newline).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:  # grow it towards the 64 KB the timing rule covers
        data = data * max(1, 60_000 // max(1, len(data)))
    return data


SAFE = st.one_of(
    st.sampled_from(["NO", "ON", "1:2", "1.10", "017", "2026-11-27", "C#", "a b", "x-y", "é"]),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12
    ).map(json.dumps),
)
LAYOUTS = [
    "{i}- text: {t}\n{i}  back: {b}\n",
    "{i}-\n{i}  text: {t}\n{i}  back: {b}\n",
    "{i}- # a note\n{i}  text: {t}\n{i}  back: {b}\n",
    "{i}- {{text: {t}, back: {b}}}\n",
    "{i}-   text: {t}\n{i}    back: {b}\n",
    '{i}- "text": {t}\n{i}  "back": {b}\n',
    "{i}- ? text\n{i}  : {t}\n{i}  back: {b}\n",
    "{i}- text: >\n{i}    {t}\n{i}  back: {b}\n",
    "{i}- back: {b}\n{i}  text: {t}\n{i}  tags:\n{i}    - a\n{i}    - b\n",
    "{i}- text: {t}   # trailing\n{i}  back: |\n{i}    {b}\n\n{i}    more\n",
    "{i}- text: {t}\n{i}  back: {b}\n{i}  tags: [x, y]\n{i}  source: {t}\n",
]


@st.composite
def well_formed_file(draw: st.DrawFn) -> bytes:
    """Valid pearls in every layout YAML allows, most without ids: the id writer's input."""
    indent = " " * draw(st.sampled_from([0, 2, 4]))
    blocks = []
    for n in range(draw(st.integers(1, 5))):
        layout = draw(st.sampled_from(LAYOUTS))
        block = layout.format(i=indent, t=draw(SAFE) or '"t"', b=draw(SAFE) or '"b"')
        if draw(st.integers(0, 3)) == 0:
            block = block.replace("- ", f"- id: aaa{n:03d}\n{indent}  ", 1)
        blocks.append(block)
    text = draw(st.sampled_from(["", "# Acute care\n", "---\n"])) + "".join(blocks)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return text.replace("\n", newline).encode()


yaml_inputs = st.one_of(pearl_file(), well_formed_file(), st.binary(max_size=300))


def _content(text: str) -> list[dict[str, object]]:
    """The pearls of a file as written, ignoring ids: what an id rewrite must keep."""
    parsed = parse_pearl_file(text, "f", "acute")
    return [{k: v for k, v in r.values.items() if k != "id"} for r in parsed.pearls]


def check_pearl_file(root: Path, data: bytes) -> None:
    """Open a collection holding `data` as a pearl file, as any command would."""
    path = root / "acute.yaml"
    path.write_bytes(data)
    with counted() as work, Collection(root) as col:  # assigns missing ids, writing them in
        problems = list(col.problems)
    assert work.calls < budget(len(data)), f"{len(data)} bytes took {work.calls} calls"
    for p in problems:
        assert PROBLEM.match(str(p)), repr(str(p))
        assert str(p).startswith(str(root)), str(p)
    after = path.read_bytes()
    if after != data:  # ids were written in: nothing else may change
        FIGURES["ids_written"] += 1
        old, new = data.decode("utf-8-sig"), after.decode("utf-8-sig")
        assert _content(old) == _content(new)
        ids = [r.values.get("id") for r in parse_pearl_file(new, "f", "acute").pearls]
        assert all(isinstance(i, str) and ID_RE.match(i) for i in ids), ids
        assert len(after) > len(data)
        with Collection(root) as col:
            assert not [p for p in col.problems if "no id" in p.message]


# ---------------------------------------------------------------- markdown

MD_PIECES = [
    "# Acute care", "## Chronic disease management", "### Heart failure", "# Diagnostic",
    "#", "####### seven", "- Prompt :: answer", "- {{c1::Cloze}} text", "- ==high== light",
    "- a :: b :: c", "- {{c1::a :: b}}", "- {{c1::unclosed", "- {{c0::zero}}", "- {{c1::}}",
    "- :: nothing", "- prompt ::", "* star :: item", "1. numbered :: item", "  - nested :: item",
    "      - deep :: item", "Q: question?", "A: answer", "**Q:** bold?", "Answer: long",
    "Question: x", "---", "pathway: acute", "tags: [a, b]", "source: UWorld 1", "...",
    "```", "```python", "    code :: block", "> quote :: inside", "> - quoted :: item",
    "<div>html :: here</div>", "<!-- comment -->", "| a | b |", "|---|---|",
    "[link](javascript:alert(1)) :: x", "![img](x.png) :: y", "`code ::` :: z", "\\:: esc",
    "#tag #t/sub :: tagged", "C# :: lang", "#1 :: num", "", "", "text without pearl",
    "- \u0000 nul :: x", "- \u202e rtl :: x", "- é 漢字 🧠 :: ü", "- " + "x" * 500 + " :: y",
    "- " + "{{c1::a}}" * 50, "- " + "==h==" * 60, "- " + "[" * 40 + " :: q",
]  # fmt: skip


@st.composite
def markdown(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.one_of(st.sampled_from(MD_PIECES), scalar), max_size=25))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", ""]))
    if draw(st.integers(0, 3)) == 0:
        text = "---\n" + draw(st.sampled_from(["pathway: acute\n", "tags: x\n", ": :\n", ""]))
        text += "---\n" + "\n".join(lines)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    data = text.replace("\n", newline).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = data * max(1, 60_000 // max(1, len(data)))
    return data


markdown_inputs = st.one_of(markdown(), markdown(), st.binary(max_size=300))


def check_import(root: Path, notes: Path, data: bytes, skip_invalid: bool) -> None:
    notes.write_bytes(data)
    args = ["--dir", str(root), "import", str(notes), "-p", "acute"]
    with counted() as work:
        res = invoke(args + (["--skip-invalid"] if skip_invalid else []), catch_exceptions=False)
    assert work.calls < budget(len(data)), f"{len(data)} bytes took {work.calls} calls"
    assert res.exit_code in (0, 1), res.output
    for line in res.stderr.splitlines():
        assert PROBLEM.match(line) or line.endswith(
            "nothing imported (fix them, or --skip-invalid)"
        )
    if res.exit_code != 0:
        return
    text, _ = decode_markdown(data, str(notes))
    if text is None:  # not text at all: reported and skipped (--skip-invalid)
        return
    drafts = parse_markdown(text, str(notes), ImportDefaults(pathway="acute")).drafts
    with Collection(root) as col:
        assert col.problems == [], col.problems
        stored = {(p.text, p.back) for p in col.pearls()}
        valid = [d for d in drafts if not col.validate_draft(d, d.origin or "")]
    FIGURES["imported"] += len(valid)
    missing = [(d.text, d.back) for d in valid if (d.text, d.back) not in stored]
    assert not missing, missing  # every pearl reads back exactly as it was parsed


# ---------------------------------------------------------------- the tests


def _save_on_failure(kind: str, data: bytes, check: Callable[[], None]) -> None:
    try:
        check()
    except BaseException:
        folder = CORPUS / kind
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "yaml" if kind == "yaml" else "md"
        # while hypothesis shrinks, each smaller failure replaces the last: the minimal stays
        (folder / f"new-crasher.{suffix}").write_bytes(data)
        raise


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Callable[[], Path]]:
    """A collection whose pearl files are put back as `init` made them, on each call."""
    root = tmp_path / "pearls"
    init_collection(root)
    made = {p: p.read_bytes() for p in root.glob("*.yaml")}

    def reset() -> Path:
        for p, data in made.items():
            p.write_bytes(data)
        (root / "imports.jsonl").unlink(missing_ok=True)  # else the pearls count as deleted
        return root

    yield reset


@pytest.mark.slow
@FUZZ
@given(data=yaml_inputs)
def test_any_pearl_file_gives_problems_never_a_crash(
    fresh: Callable[[], Path], data: bytes
) -> None:
    root = fresh()
    FIGURES["yaml"] += 1
    _save_on_failure("yaml", data, lambda: check_pearl_file(root, data))


@pytest.mark.slow
@FUZZ
@given(data=markdown_inputs, skip_invalid=st.booleans())
def test_any_markdown_import_gives_problems_never_a_crash(
    fresh: Callable[[], Path], data: bytes, skip_invalid: bool
) -> None:
    root = fresh()
    FIGURES["markdown"] += 1
    notes = root.parent / "notes.md"
    _save_on_failure("markdown", data, lambda: check_import(root, notes, data, skip_invalid))


def corpus(kind: str) -> list[Path]:
    folder = CORPUS / kind
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("path", corpus("yaml"), ids=lambda p: p.name)
def test_the_saved_corpus_still_passes_yaml(fresh: Callable[[], Path], path: Path) -> None:
    check_pearl_file(fresh(), path.read_bytes())


@pytest.mark.parametrize("path", corpus("markdown"), ids=lambda p: p.name)
def test_the_saved_corpus_still_passes_markdown(fresh: Callable[[], Path], path: Path) -> None:
    root = fresh()
    for skip in (False, True):
        check_import(fresh(), root.parent / "notes.md", path.read_bytes(), skip)


def test_figures_of_the_fuzz_run() -> None:
    """Runs after the fuzz tests of this file: each ran its examples, and imports added pearls."""
    if not FIGURES["yaml"] and not FIGURES["markdown"]:
        pytest.skip("the fuzz tests did not run (deselected)")
    print(f"\nfuzz: {FIGURES}")
    assert FIGURES["yaml"] >= EXAMPLES and FIGURES["markdown"] >= EXAMPLES
    assert FIGURES["imported"] > 0


@pytest.mark.parametrize(
    "body",
    ["- ? text\n  : What is {{c1::this}}?\n", "- ?", "- ? text\n  : Q?\n  back: A\n"],
)
def test_an_id_is_never_written_where_it_would_change_the_file(
    fresh: Callable[[], Path], body: str
) -> None:
    """YAML's explicit keys (`? text`) leave no place for an id line: the file stays as it
    is, and the pearl is reported, never rewritten into something else."""
    root = fresh()
    (root / "acute.yaml").write_text(body)
    with Collection(root) as col:
        assert col.fix_ids() == 0
        assert any("no id" in p.message for p in col.problems)
    assert (root / "acute.yaml").read_text() == body
