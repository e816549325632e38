"""Make the benchmark data, reproducibly from a seed: a 50k-pearl collection with 500k
review events from two devices over two years, and a 10k-pearl markdown file set."""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pearldeck import scheduler as sched
from pearldeck.model import PATHWAYS, Event, PearlDraft, Rating, card_ids_for
from pearldeck.store.layout import init_collection
from pearldeck.store.pearlfile import format_pearl
from pearldeck.store.reviewlog import encode
from pearldeck.store.settings import Settings

WORDS = (  # noqa: SIM905 - a sentence is easier to edit than a list
    "patient presents with acute chest pain dyspnea fever hypotension tachycardia murmur "
    "first-line treatment management diagnosis imaging biopsy elevated troponin creatinine "
    "potassium sodium insulin metformin anticoagulation warfarin heparin screening adults "
    "aged pregnancy infant adolescent contraindicated indicated preferred initial next step "
    "best test confirm rule out sensitivity specificity guideline recommends annual biennial"
).split()
START = datetime(2024, 11, 27, 9, 0, tzinfo=UTC)


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def pearl_id(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))


def make_collection(root: Path, n_pearls: int, n_events: int, seed: int) -> list[str]:
    """Write the pearl files and two devices' review logs; return the card ids."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    init_collection(root)
    cards: list[str] = []
    per = n_pearls // len(PATHWAYS)
    for pathway in PATHWAYS:
        chunks = [f"# {pathway}: synthetic benchmark pearls\n"]
        for _ in range(per):
            pid = pearl_id(rng)
            added = (START + timedelta(days=rng.randint(0, 700))).date().isoformat()
            if rng.random() < 0.55:
                n = rng.choice((1, 1, 2, 3))
                parts = [sentence(rng, 4, 14)]
                for c in range(1, n + 1):
                    parts.append(f"{{{{c{c}::{sentence(rng, 1, 4)}}}}} {sentence(rng, 2, 8)}")
                text, back = " ".join(parts), None
            else:
                text, back = sentence(rng, 8, 28) + "?", sentence(rng, 2, 12)
            tags = tuple(dict.fromkeys(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))
            draft = PearlDraft(
                pathway=pathway,
                text=text,
                back=back,
                tags=tags,
                source=f"UWorld {rng.randint(1000, 99999)}",
                added=added,
            )
            chunks.append(format_pearl(pid, draft))
            cards.extend(card_ids_for(pid, text, back))
        (root / f"{pathway}.yaml").write_text("".join(chunks), encoding="utf-8")
    write_history(root, cards, n_events, rng)
    return cards


def write_history(root: Path, cards: list[str], n_events: int, rng: random.Random) -> None:
    """Simulate reviews card by card with the real scheduler, so states are consistent."""
    settings = Settings()
    scheduler = sched.make_scheduler(settings)
    logs = {d: (root / "reviews" / f"{d}.jsonl").open("wb") for d in ("laptop", "desktop")}
    # a student adds pearls all along and keeps reviewing them up to today, so only a
    # realistic share is due now; cards are studied in random order until the budget is spent
    order = list(cards)
    rng.shuffle(order)
    made = 0
    end = START + timedelta(days=730)
    for card in order:
        if made >= n_events:
            break
        status = sched.CardStatus()
        t = START + timedelta(days=rng.uniform(0, 725), minutes=rng.uniform(0, 600))
        while t < end and made < n_events:
            roll = rng.random()
            rating = (
                Rating.AGAIN
                if roll < 0.1
                else Rating.HARD
                if roll < 0.2
                else (Rating.EASY if roll > 0.95 else Rating.GOOD)
            )
            state = sched.review(scheduler, settings, card, status, rating, t)
            eid = f"{rng.getrandbits(64):016x}"
            device = "laptop" if rng.random() < 0.6 else "desktop"
            event = Event(
                id=eid,
                kind="review",
                card=card,
                time=sched.iso(t),
                device=device,
                rating=int(rating),
                duration=round(rng.uniform(3, 40), 1),
                prev=status.last_event,
                state=state.to_dict(),
            )
            logs[device].write(encode(event))
            status = sched.CardStatus(memory=state, last_event=eid)
            made += 1
            assert state.due is not None
            t = max(state.due, t + timedelta(minutes=1)) + timedelta(minutes=rng.uniform(0, 90))
    for f in logs.values():
        f.close()


def make_markdown(folder: Path, n_pearls: int, seed: int) -> None:
    """A notes folder as students write it: pathway headings, topics, three pearl styles."""
    rng = random.Random(seed + 1)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    per_file = 500
    titles = [
        "Acute care",
        "Chronic disease management",
        "Preventive care",
        "Diagnostic reasoning",
        "Systems-based practice",
    ]
    for f in range(n_pearls // per_file):
        lines = [f"# {titles[f % 5]}", "", f"## Topic {f}", ""]
        for i in range(per_file):
            kind = i % 3
            if kind == 0:
                lines.append(f"- {sentence(rng, 6, 16)} :: {sentence(rng, 2, 8)} #t{f}-{i % 7}")
            elif kind == 1:
                lines.append(
                    f"- {sentence(rng, 4, 10)} {{{{c1::{sentence(rng, 1, 3)}}}}} "
                    f"{sentence(rng, 2, 6)}"
                )
            else:
                lines.append(
                    f"- {sentence(rng, 4, 10)} =={sentence(rng, 1, 3)}== "
                    f"{sentence(rng, 2, 6)} {f}-{i}"
                )
        (folder / f"notes-{f:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("data"))
    ap.add_argument("--pearls", type=int, default=50_000)
    ap.add_argument("--events", type=int, default=500_000)
    ap.add_argument("--markdown", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    cards = make_collection(args.out / "collection", args.pearls, args.events, args.seed)
    make_markdown(args.out / "notes", args.markdown, args.seed)
    print(f"{args.pearls} pearls, {len(cards)} cards, markdown {args.markdown} -> {args.out}")


if __name__ == "__main__":
    main()
