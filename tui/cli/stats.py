"""``stancemark stats``: what the database holds, as a table or as JSON."""

from __future__ import annotations

from typing import Any

import click

from annotations.output import json_text
from annotations.safety import printable
from annotations.store import Store
from tui.cli.options import db_option, json_option, pass_existing_store


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{printable(k)} {v}" for k, v in counts.items())


def stats_table(data: dict[str, Any]) -> str:
    """``Store.stats()`` as indented plain text, every name made printable."""
    out = [f"articles: {data['articles']}", f"spans: {data['spans']}"]
    out += [f"  {printable(label)}: {n}" for label, n in data["labels"].items()]
    out.append("annotators:")
    out += [f"  {printable(name)}: {_counts(c)}" for name, c in data["annotators"].items()]
    out.append("statuses:")
    out += [f"  {printable(name)}: {_counts(c)}" for name, c in data["statuses"].items()]
    if data["anchors"].get("orphaned"):
        out.append(f"orphaned spans: {data['anchors']['orphaned']}")
    return "\n".join(out)


@click.command()
@db_option
@json_option
@pass_existing_store
def stats(store: Store, as_json: bool) -> None:
    """Articles, spans per label and per annotator, and statuses."""
    data = store.stats()
    click.echo(json_text(data, sort_keys=True) if as_json else stats_table(data))
