"""The card in the middle of the review: pathway label, prompt, answer, images, tags, source."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.scalar import Scalar
from textual.widget import Widget
from textual.widgets import Label, Rule, Static

from pearldeck.model import PATHWAY_TITLES, PATHWAYS
from pearldeck.today import CardView
from pearldeck.tui.host import host
from pearldeck.tui.markup_view import render
from pearldeck.tui.text import meta_content

MIN_ROWS, MAX_ROWS = 3, 20
"""Height of an image in rows: as much as the screen leaves, within these bounds."""
QUEUE_NAMES = {"new": "new", "learning": "learning", "review": "review", "later": "learning"}
Images = tuple[tuple[str, str], ...]


class PathwayLabel(Label):
    """A pathway's title on its colour."""

    def show(self, pathway: str) -> None:
        for p in PATHWAYS:
            self.set_class(p == pathway, f"pw-{p}")
        self.update(PATHWAY_TITLES.get(pathway, pathway))


class PearlCard(Vertical):
    """One card, front or back; the images of each side under its text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: dict[str, Images] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="card-head"):
            yield PathwayLabel(id="card-pathway")
            yield Label(id="card-queue")
        yield Static(id="card-prompt")
        yield Vertical(id="card-prompt-images", classes="card-images")
        yield Rule(id="card-rule", line_style="dashed")
        yield Static(id="card-answer")
        yield Vertical(id="card-answer-images", classes="card-images")
        yield Static(id="card-meta")

    def show(self, view: CardView, revealed: bool) -> None:
        pearl = view.pearl
        self.query_one(PathwayLabel).show(pearl.pathway)
        queue = QUEUE_NAMES.get(view.queue, view.queue)
        q = self.query_one("#card-queue", Label)
        q.update(queue)
        for name in ("new", "learning", "review"):
            q.set_class(queue == name, f"q-{name}")
        prompt = render(pearl.text, view.cloze, revealed and pearl.is_cloze)
        answer = render(pearl.back or "") if revealed and not pearl.is_cloze else None
        self.query_one("#card-prompt", Static).update(prompt.content)
        self.query_one("#card-answer", Static).update(answer.content if answer else "")
        self._show_images("card-prompt-images", prompt.images)
        self._show_images("card-answer-images", answer.images if answer else ())
        self.query_one("#card-meta", Static).update(meta_content(pearl) if revealed else "")
        self.set_class(revealed, "-revealed")
        self.set_class(not pearl.is_cloze, "-qa")

    @property
    def images(self) -> list[tuple[str, Path | None]]:
        """The images shown now, as (`media/...` reference, its file)."""
        col = host(self).col
        boxes = ("card-prompt-images", "card-answer-images")
        shown = [image for box in boxes for image in self._shown.get(box, ())]
        return [(ref, col.media_file(ref)) for ref, _ in shown]

    def _show_images(self, box_id: str, images: Images) -> None:
        if self._shown.get(box_id, ()) == images:
            return  # the same pictures: no reload, no flicker on reveal
        self._shown[box_id] = images
        box = self.query_one(f"#{box_id}", Vertical)
        box.remove_children()
        box.display = False
        if images:  # after the text is painted: loading pictures takes a moment
            self.call_after_refresh(self._mount_images, box_id, images)

    def _mount_images(self, box_id: str, images: Images) -> None:
        if self._shown.get(box_id) != images:
            return  # another card (or side) is shown by now
        from pearldeck.tui.widgets.card_image import CardImage  # only for cards with images

        col = host(self).col
        box = self.query_one(f"#{box_id}", Vertical)
        box.display = True
        box.mount_all(CardImage(col.media_file(ref), ref, alt) for ref, alt in images)
        self.call_after_refresh(self._fit_images)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_images)

    def _fit_images(self) -> None:
        """Give the images the rows the review leaves free, so text and buttons stay seen."""
        pictures = list(self.query(".image-pixels"))
        room = self.parent.parent if self.parent else None  # the review's body
        if not pictures or not isinstance(room, Widget):
            return
        text = self.outer_size.height - sum(p.outer_size.height for p in pictures)
        rows = (room.content_size.height - text) // len(pictures)
        rows = max(MIN_ROWS, min(MAX_ROWS, rows))
        for picture in pictures:
            if picture.styles.height != Scalar.parse(str(rows)):
                picture.styles.height = rows
