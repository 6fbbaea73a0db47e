"""Precision of the timeline's extraction on a hand-labelled sample (`evals/data/timeline_sample.jsonl`,
`timeline_labels.jsonl`): is the date right, is the kind right.

The sample is stratified by kind (up to 12 events each, 88 in all), drawn once from the extractor and
labelled by a reader who had not written it. An event the extractor no longer produces as sampled makes
the labels stale: it is counted and reported, not scored.

    python -m evals.timeline_precision
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from rag.timeline import TimelineEvent

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_PATH = DATA / "timeline_sample.jsonl"
LABELS_PATH = DATA / "timeline_labels.jsonl"
log = logging.getLogger(__name__)


class TimelineLabel(BaseModel):
    id: str
    date_correct: bool
    kind_correct: bool
    note: str = ""


class KindScore(BaseModel):
    n: int = 0
    date_correct: int = 0
    kind_correct: int = 0


def load_sample(path: Path = SAMPLE_PATH) -> list[tuple[str, TimelineEvent]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row.pop("id"), TimelineEvent.model_validate(row)) for row in rows]


def load_labels(path: Path = LABELS_PATH) -> dict[str, TimelineLabel]:
    rows = [TimelineLabel.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r.id: r for r in rows}


def score(events: list[TimelineEvent]) -> tuple[dict[str, KindScore], list[str]]:
    """Per kind (and "all") on the sampled events the extractor still produces; the ids of stale ones."""
    current = {(e.doc_id, e.start, e.date, e.kind) for e in events}
    labels = load_labels()
    table: dict[str, KindScore] = defaultdict(KindScore)
    stale = []
    for sid, event in load_sample():
        if (event.doc_id, event.start, event.date, event.kind) not in current:
            stale.append(sid)
            continue
        label = labels[sid]
        for key in ("all", event.kind):
            table[key].n += 1
            table[key].date_correct += label.date_correct
            table[key].kind_correct += label.kind_correct
    return dict(table), stale


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from rag.container import Services
    from rag.core.settings import Settings

    logging.basicConfig(level=logging.WARNING)
    scores, stale = score(Services(Settings()).timeline.events())
    table = Table("kind", "n", "date right", "kind right", title="Timeline extraction on the labelled sample")
    for kind, s in sorted(scores.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        table.add_row(kind, str(s.n), f"{s.date_correct / s.n:.3f}", f"{s.kind_correct / s.n:.3f}")
    console = Console()
    console.print(table)
    if stale:
        console.print(f"stale (no longer extracted as labelled): {', '.join(stale)}")


if __name__ == "__main__":
    main()
