"""The card in the middle of the review: pathway label, prompt, answer, tags and source."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Rule, Static

from pearldeck.daily import CardView
from pearldeck.model import PATHWAY_TITLES, PATHWAYS
from pearldeck.tui.text import answer_content, meta_content, prompt_content

QUEUE_NAMES = {"new": "new", "learning": "learning", "review": "review", "later": "learning"}


class PathwayLabel(Label):
    """A pathway's title on its colour."""

    def show(self, pathway: str) -> None:
        for p in PATHWAYS:
            self.set_class(p == pathway, f"pw-{p}")
        self.update(PATHWAY_TITLES.get(pathway, pathway))


class PearlCard(Vertical):
    """One card, front or back."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="card-head"):
            yield PathwayLabel(id="card-pathway")
            yield Label(id="card-queue")
        yield Static(id="card-prompt")
        yield Rule(id="card-rule", line_style="dashed")
        yield Static(id="card-answer")
        yield Static(id="card-meta")

    def show(self, view: CardView, revealed: bool) -> None:
        pearl = view.pearl
        self.query_one(PathwayLabel).show(pearl.pathway)
        queue = QUEUE_NAMES.get(view.queue, view.queue)
        q = self.query_one("#card-queue", Label)
        q.update(queue)
        for name in ("new", "learning", "review"):
            q.set_class(queue == name, f"q-{name}")
        cloze_back = revealed and pearl.is_cloze
        self.query_one("#card-prompt", Static).update(
            answer_content(pearl, view.cloze) if cloze_back else prompt_content(pearl, view.cloze)
        )
        self.query_one("#card-answer", Static).update(
            answer_content(pearl, view.cloze) if revealed and not pearl.is_cloze else ""
        )
        self.query_one("#card-meta", Static).update(meta_content(pearl) if revealed else "")
        self.set_class(revealed, "-revealed")
        self.set_class(not pearl.is_cloze, "-qa")
