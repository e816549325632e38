"""An image on a card: real pixels where the terminal can (Kitty, Sixel), half-blocks elsewhere.

The image library (textual-image, with Pillow) is imported only when a card has an image,
so a collection without images starts as fast as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from PIL.Image import Image as Picture

LARGEST = 1600
"""Pixels: a bigger image is scaled down once, not at every repaint."""


def prepare_terminal() -> None:
    """Ask the terminal which graphics it shows (Kitty's protocol, Sixel) before the app
    starts: the image library asks on import, and once Textual reads the keyboard the
    answer would arrive as key presses."""
    import textual_image.widget  # noqa: F401


class _NotATerminal:
    """Stands in for stdout while the library loads late: it then asks nothing."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def image_class() -> Callable[..., Widget]:
    """The widget that shows pixels on this terminal, else the half-block one."""
    if "textual_image.renderable" not in sys.modules:  # not prepared: too late to ask
        real = sys.__stdout__
        if real is not None:
            setattr(sys, "__stdout__", _NotATerminal(real))  # noqa: B010 - a Final name
        try:
            import textual_image.widget  # noqa: F401
        finally:
            setattr(sys, "__stdout__", real)  # noqa: B010
    from textual_image import renderable, widget

    if renderable.Image is renderable.TGPImage:
        return widget.TGPImage
    if renderable.Image is renderable.SixelImage:
        return widget.SixelImage
    return widget.HalfcellImage


def load_picture(path: Path) -> Picture | str:
    """The image, scaled to at most LARGEST pixels a side, or why it cannot be shown."""
    if path.suffix.lower() == ".svg":
        return "an SVG drawing: press o to open it"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.draft("RGB", (LARGEST, LARGEST))  # JPEG: decode at a smaller scale
            img.thumbnail((LARGEST, LARGEST))
            return img.convert("RGBA" if "A" in img.getbands() else "RGB")
    except FileNotFoundError:
        return "not found: run `pearls check`"
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as e:
        return f"cannot be shown ({e.__class__.__name__}); press o to open it"


class CardImage(Vertical):
    """One image of a card and its caption (alt text, file, how to open it)."""

    def __init__(self, path: Path | None, ref: str, alt: str) -> None:
        super().__init__(classes="card-image")
        self.path = path
        self.ref = ref
        self.alt = alt

    def compose(self) -> ComposeResult:
        picture = load_picture(self.path) if self.path else "is outside the media folder"
        if isinstance(picture, str):
            yield Static(Content(f"{self.ref} {picture}"), classes="image-problem")
        else:
            yield image_class()(picture, classes="image-pixels")
        caption = Content.assemble((self.alt, "bold"), " · " if self.alt else "", self.ref)
        yield Static(caption, classes="image-caption")
