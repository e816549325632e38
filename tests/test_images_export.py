"""Images and formatting in the Anki export, checked by importing into real Anki."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from hypothesis import given
from hypothesis import strategies as st

from pearldeck.anki_export import export_apkg
from pearldeck.anki_fields import escape, render
from pearldeck.collection import Collection
from pearldeck.model import Pearl
from tests.conftest import NOW, draft
from tests.media_fixtures import jpeg, png
from tests.reliability.common import invoke

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    (tmp_path / "anki").mkdir()
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_apkg(col: AnkiCollection, path: Path) -> None:
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))


def export(root: Path, out: Path) -> str:
    res = invoke(["--dir", str(root), "export", "-o", str(out)])
    assert res.exit_code == 0, res.output
    return res.output


def pearls_with_images(root: Path, tmp_path: Path) -> tuple[str, str]:
    """An ECG question (a PNG on the front) and a cloze with a JPEG; their media refs."""
    (tmp_path / "ecg.png").write_bytes(png(seed=1))
    (tmp_path / "rash.jpg").write_bytes(jpeg())
    with Collection(root) as col:
        ecg = col.add_media_file(tmp_path / "ecg.png")
        rash = col.add_media_file(tmp_path / "rash.jpg")
        col.add(
            [
                draft(
                    f"**Rhythm?**\n![ECG lead II]({ecg})", back="Atrial *flutter*", tags=("ecg",)
                ),
                draft(f"Target lesion rash: {{{{c1::erythema multiforme}}}}\n![]({rash})"),
            ],
            NOW,
        )
    return ecg, rash


def test_images_reach_anki_media_and_show_on_the_card(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    ecg, rash = pearls_with_images(root, tmp_path)
    out = tmp_path / "deck.apkg"
    assert "2 images" in export(root, out)
    import_apkg(anki, out)

    media = Path(anki.media.dir())
    ecg_name, rash_name = ecg.removeprefix("media/"), rash.removeprefix("media/")
    assert (media / ecg_name).read_bytes() == (root / ecg).read_bytes()
    assert (media / rash_name).read_bytes() == (root / rash).read_bytes()
    notes = [anki.get_note(n) for n in anki.find_notes("")]
    front = next(n for n in notes if "Front" in n)
    assert front["Front"] == f'<b>Rhythm?</b><br><img src="{ecg_name}" alt="ECG lead II">'
    assert front["Back"] == "Atrial <i>flutter</i>"
    cloze = next(n for n in notes if "Text" in n)
    assert f'<img src="{rash_name}" alt="">' in cloze["Text"]
    # the card Anki shows references the file, and Anki finds nothing missing or unused
    shown = [anki.get_card(c) for c in anki.find_cards("")]
    assert any(f'src="{ecg_name}"' in c.question() for c in shown)
    assert any(f'src="{rash_name}"' in c.question() for c in shown)
    assert anki.card_count() == 2  # the cloze still makes its card
    check = anki.media.check()
    assert list(check.missing) == [] and list(check.unused) == []


def test_reexport_keeps_one_copy_of_each_image_in_anki(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    ecg, _ = pearls_with_images(root, tmp_path)
    export(root, tmp_path / "a.apkg")
    import_apkg(anki, tmp_path / "a.apkg")
    before = sorted(p.name for p in Path(anki.media.dir()).iterdir())
    # the same picture attached again (another pearl, another file name) is the same media
    (tmp_path / "copy.png").write_bytes(png(seed=1))
    with Collection(root) as col:
        assert col.add_media_file(tmp_path / "copy.png").endswith(ecg.split("-")[-1])
        col.add([draft(f"Same ECG, asked again?\n![]({ecg})", back="Flutter")], NOW)
    export(root, tmp_path / "b.apkg")
    import_apkg(anki, tmp_path / "b.apkg")
    import_apkg(anki, tmp_path / "b.apkg")
    after = sorted(p.name for p in Path(anki.media.dir()).iterdir())
    assert len(before) == 2
    assert after == before  # no `name-<hash>.png` second copies
    assert anki.note_count() == 3


def test_missing_image_is_reported_and_the_rest_still_exports(
    root: Path, tmp_path: Path, anki: AnkiCollection
) -> None:
    pearls_with_images(root, tmp_path)
    with Collection(root) as col:
        col.add([draft("Which film?\n![](media/gone-0123456789.png)", back="CXR")], NOW)
    out = tmp_path / "deck.apkg"
    res = invoke(["--dir", str(root), "export", "-o", str(out)])
    assert res.exit_code == 0
    assert "warning: image media/gone-0123456789.png not found" in res.output
    import_apkg(anki, out)
    assert anki.note_count() == 3
    assert len(list(Path(anki.media.dir()).iterdir())) == 2


def test_export_apkg_reports_what_it_carries(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(png())
    pearls = [
        Pearl(id="img001", pathway="acute", text="What is it?\n![](media/x.png)", back="A"),
        Pearl(id="img002", pathway="acute", text="Also ![](media/y.png) {{c1::b}}"),
    ]
    files = {"media/x.png": tmp_path / "x.png", "media/y.png": tmp_path / "y.png"}
    result = export_apkg(pearls, tmp_path / "o.apkg", media=files.get)
    assert (result.media, result.missing_media) == (1, ("media/y.png",))


# Plain text (no sign that may start markup) renders exactly as before: the fast path.
plain = st.text(st.characters(exclude_characters="*`<[\\|\n\x1f"), max_size=40).filter(
    lambda t: not t.lstrip(" ")[:1].isdigit() and not t.lstrip(" ").startswith(("- ", "+ "))
)


@given(plain)
def test_plain_text_renders_as_its_escape(text: str) -> None:
    assert render(text) == escape(text)


@given(st.text(alphabet="ab*`<>[]()!|-\\{}/:&\n u", max_size=40))
def test_rendered_markup_leaves_no_bracket_or_brace_for_anki(text: str) -> None:
    out = render(text)  # `[sound:…]`, `[latex]` and `{{Field}}` mean nothing in a field
    assert "[" not in out and "{" not in out and "}" not in out
