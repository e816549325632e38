"""Replay a scripted review history in a real Anki collection, each answer at its instant.

Run by tests/test_anki_parity.py in a child process under libfaketime, so that Anki's
backend (which reads the system clock for "now" and "today") answers every card at the
time the script says. Reads a JSON job on stdin, writes JSON results on stdout.

Job: {"collection", "parameters", "retention", "day_starts_at", "learning_steps" (minutes),
"relearning_steps", "maximum_interval", "cards", "reviews": [[card, rating, unix second]],
"probe_intervals": [days], "probe_cards"}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # anki is loaded once the clock is faked
    from anki.scheduler_pb2 import SchedulingState


def at(second: int) -> None:
    """Stop the (faked) clock at this instant: libfaketime reads FAKETIME on every call."""
    local = datetime.fromtimestamp(second)  # TZ is the zone under test
    os.environ["FAKETIME"] = local.strftime("%Y-%m-%d %H:%M:%S")
    if abs(time.time() - second) > 1:
        raise SystemExit(f"libfaketime is not in effect: {time.time()} != {second}")


def button(state: SchedulingState) -> list[object]:
    """A scheduling state as [kind, amount]: days in review, seconds in (re)learning."""
    normal = state.normal
    kind = normal.WhichOneof("kind")
    if kind == "review":
        return ["days", normal.review.scheduled_days]
    if kind == "learning":
        return ["secs", normal.learning.scheduled_secs]
    if kind == "relearning":
        return ["secs", normal.relearning.learning.scheduled_secs]
    return [kind, 0]


def main() -> None:
    job = json.load(sys.stdin)
    reviews = job["reviews"]
    at(reviews[0][2] - 3600)
    from anki.collection import Collection
    from anki.config import Config
    from anki.decks import DeckConfigId, DeckId
    from anki.scheduler.v3 import Scheduler
    from anki.scheduler_pb2 import CardAnswer

    col = Collection(job["collection"])
    col.set_config("rollover", job["day_starts_at"])
    col.set_config_bool(Config.Bool.LOAD_BALANCER_ENABLED, False)  # plain fuzz, no balancing
    col.set_config("fsrs", True)
    conf = col.decks.get_config(DeckConfigId(1))
    assert conf is not None
    conf["fsrsParams6"] = job["parameters"]
    conf["desiredRetention"] = job["retention"]
    conf["new"]["delays"] = job["learning_steps"]
    conf["new"]["perDay"] = 9999
    conf["rev"]["perDay"] = 9999
    conf["rev"]["maxIvl"] = job["maximum_interval"]
    conf["lapse"]["delays"] = job["relearning_steps"]
    conf["lapse"]["leechFails"] = 1000
    col.decks.update_config(conf)
    basic = col.models.by_name("Basic")
    assert basic is not None
    sched = col.sched
    assert isinstance(sched, Scheduler)  # a new collection's: v3
    ids = []
    for i in range(job["cards"] + job.get("probe_cards", 0)):
        note = col.new_note(basic)
        note["Front"] = f"q{i}"
        note["Back"] = "a"
        col.add_note(note, DeckId(1))
        ids.append(note.card_ids()[0])
    ratings = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}
    out = []
    for card_no, rating, second in reviews:
        at(second)
        card = col.get_card(ids[card_no])
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        buttons = [button(s) for s in (states.again, states.hard, states.good, states.easy)]
        answer = sched.build_answer(card=card, states=states, rating=ratings[rating])
        sched.answer_card(answer)
        card = col.get_card(card.id)
        memory = card.memory_state
        out.append(
            {
                "type": card.type,
                "queue": card.queue,
                "ivl": card.ivl,
                "due": card.due,
                "today": sched.today,
                "stability": memory.stability if memory else None,
                "difficulty": memory.difficulty if memory else None,
                "buttons": buttons,
            }
        )
    # Anki's own fuzz of an interval, sampled over many cards (each has its own seed)
    probes: dict[str, list[int]] = {}
    for days in job.get("probe_intervals", []):
        got = {days + col._backend.fuzz_delta(card_id=cid, interval=days) for cid in ids}
        probes[str(days)] = [min(got), max(got)]
    col.close()
    json.dump({"reviews": out, "fuzz": probes}, sys.stdout)


if __name__ == "__main__":
    main()
