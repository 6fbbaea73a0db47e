"""A finished trace as a Rich tree: `policyqa ask --explain`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.tree import Tree


def trace_tree(spans: Sequence[Any]) -> Tree:
    """Spans (OpenTelemetry ReadableSpan) nested by parent, in start order, each with its duration and
    attributes: the same tree an OTLP backend would show."""
    by_parent: dict[int | None, list[Any]] = {}
    ids = {s.context.span_id for s in spans}
    for s in sorted(spans, key=lambda s: s.start_time or 0):
        parent = s.parent.span_id if s.parent is not None and s.parent.span_id in ids else None
        by_parent.setdefault(parent, []).append(s)
    root = Tree("[bold]trace[/bold]")
    _add(root, None, by_parent)
    return root


def _add(node: Tree, parent: int | None, by_parent: dict[int | None, list[Any]]) -> None:
    for span in by_parent.get(parent, []):
        ms = ((span.end_time or span.start_time) - span.start_time) / 1e6
        child = node.add(f"[bold cyan]{span.name}[/bold cyan] [dim]{ms:.1f} ms[/dim]")
        for key, value in (span.attributes or {}).items():
            child.add(f"[green]{key}[/green] = {_show(value)}", highlight=False)
        _add(child, span.context.span_id, by_parent)


def _show(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)
