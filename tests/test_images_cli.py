"""Images from the command line: `pearls add --image`, and what `pearls check` says of media."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pearldeck.cli import app
from pearldeck.collection import Collection
from tests.media_fixtures import jpeg, png

runner = CliRunner()
NOW = "2026-11-27T15:00:00Z"


def pearls(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--dir", str(root), *args], env={"PEARLS_NOW": NOW}, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_add_image_copies_the_file_in_and_links_it(root: Path, tmp_path: Path) -> None:
    (tmp_path / "ECG lead II.png").write_bytes(png(seed=2))
    (tmp_path / "answer.jpg").write_bytes(jpeg())
    code, out, err = pearls(
        root, "add", "Rhythm?", "-p", "diagnostic", "--back", "Atrial flutter",
        "--image", str(tmp_path / "ECG lead II.png"), "--back-image", str(tmp_path / "answer.jpg"),
    )  # fmt: skip
    assert code == 0, err
    [name] = [p.name for p in (root / "media").iterdir() if p.suffix == ".png"]
    assert name.startswith("ecg-lead-ii-") and name.endswith(".png")
    assert (root / "media" / name).read_bytes() == (tmp_path / "ECG lead II.png").read_bytes()
    with Collection(root) as col:
        [pearl] = col.pearls()
    assert pearl.id == out.strip()
    assert pearl.text == f"Rhythm?\n![](media/{name})"  # a question's image goes on the front
    assert pearl.back is not None and pearl.back.startswith("Atrial flutter\n![](media/answer-")
    assert pearls(root, "check")[0] == 0


def test_add_refuses_unknown_types_and_oversized_files_and_writes_nothing(
    root: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "fake.png").write_bytes(b"GIF89a not a png")
    big = tmp_path / "big.png"
    with big.open("wb") as f:  # sparse: 21 MiB on paper, nothing on disk
        f.write(png())
        f.truncate(21 * 2**20)
    before = (root / "acute.yaml").read_bytes()
    for path, message in (
        ("notes.pdf", "not an image or sound file we keep"),
        ("fake.png", "its contents are not a PNG file"),
        ("big.png", "larger than 20 MiB"),
        ("missing.png", "cannot read"),
    ):
        code, out, err = pearls(
            root, "add", "x {{c1::y}}", "-p", "acute", "--image", str(tmp_path / path)
        )
        assert code == 1 and out == ""
        assert err.startswith(str(tmp_path / path)) and message in err, err
        assert "Traceback" not in err
    assert (root / "acute.yaml").read_bytes() == before
    assert not (root / "media").exists()


def test_back_image_needs_a_back(root: Path, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png())
    code, _, err = pearls(root, "add", "x {{c1::y}}", "-p", "acute", "--back-image", "a.png")
    assert code == 2 and "--back-image needs --back" in err


def test_invalid_pearl_copies_no_image(root: Path, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(png())
    code, _, err = pearls(
        root, "add", "no cloze here", "-p", "acute", "--image", str(tmp_path / "a.png")
    )
    assert code == 1 and "no cloze and no back" in err
    assert not (root / "media").exists()


def test_check_reports_missing_images_and_lists_unused_ones(root: Path, tmp_path: Path) -> None:
    (tmp_path / "used.png").write_bytes(png(seed=3))
    (tmp_path / "spare.png").write_bytes(png(seed=4))
    with Collection(root) as col:
        used = col.add_media_file(tmp_path / "used.png")
        spare = col.add_media_file(tmp_path / "spare.png")
    (root / "chronic.yaml").write_text(
        "- id: shown1\n"
        f"  text: 'Which murmur? ![]({used}) {{{{c1::aortic stenosis}}}}'\n"
        "- id: gone01\n"
        "  text: Which rash?\n"
        "  back: 'Erythema migrans ![](media/rash-0000000000.png)'\n"
    )
    code, out, err = pearls(root, "check")
    assert code == 1
    assert f"{root}/chronic.yaml:3: image media/rash-0000000000.png not found" in out.splitlines()
    assert out.splitlines()[0].endswith("not found")  # the problem first, then warnings
    assert f"warning: {root}/{spare}: used by no pearl" in out.splitlines()
    assert f"{used}: used" not in out
    # an unused image alone is a warning, not a failure
    (root / "chronic.yaml").write_text("- id: shown1\n  text: 'x {{c1::y}}'\n")
    code, out, err = pearls(root, "check")
    assert code == 0
    assert f"warning: {root}/{used}: used by no pearl" in out.splitlines()
    assert err.startswith("ok: 1 pearls in 5 pathways, no problems")


def test_only_a_collection_with_media_asks_the_terminal_for_graphics(
    root: Path, tmp_path: Path
) -> None:
    from pearldeck.collection import has_media

    assert not has_media(root)
    (tmp_path / "a.png").write_bytes(png())
    with Collection(root) as col:
        col.add_media_file(tmp_path / "a.png")
    assert has_media(root)
