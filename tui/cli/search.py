"""``stancemark search QUERY``: the annotator's search from the command line, grep-like.

The query language is :mod:`annotations.search` (the README lists it).  Per hit,
best first: the article id and title, then an indented one-line snippet with the
hit words emphasised (bold on a terminal; click drops the styling elsewhere).
``--json`` prints one JSON object per hit and line instead, with the offsets of
every match (code points into the field they name, so ``field[start:end]`` is
the match).  Every string from the data is made printable first.

Exit status, as grep's: 0 with hits, 1 with none, 2 for a malformed query (one
line on stderr saying what is wrong).
"""

from __future__ import annotations

from typing import Any

import click

from annotations.output import json_text
from annotations.safety import printable
from annotations.search import Match, Query, QueryError, Snippet, parse
from annotations.store import Store
from tui.cli.options import annotator_name, annotator_option, db_option, json_option, open_store

#: Characters of snippet per hit.
SNIPPET_WIDTH = 100


def shown_snippet(snip: Snippet) -> str:
    """The snippet on one line, printable, its matches styled (bold where colour is on)."""
    text = snip.text.replace("\n", " ")
    out: list[str] = ["…" if snip.before else ""]
    pos = 0
    for start, end in snip.marks:
        out.append(printable(text[pos:start]))
        out.append(click.style(printable(text[start:end]), bold=True))
        pos = end
    out.append(printable(text[pos:]))
    out.append("…" if snip.after else "")
    prefix = "note: " if snip.field == "note" else ""
    return prefix + "".join(out)


def match_record(m: Match, fields: dict[str, str], notes: dict[str, str]) -> dict[str, Any]:
    value = notes.get(m.span_id or "", "") if m.field == "note" else fields.get(m.field, "")
    record: dict[str, Any] = {"field": m.field, "start": m.start, "end": m.end,
                              "text": value[m.start : m.end]}
    if m.span_id is not None:
        record["span_id"] = m.span_id
    return record


@click.command()
@click.argument("query", nargs=-1, required=True)
@db_option
@annotator_option
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Print at most N hits, best first (0: all).")
@json_option
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], db: str | None, annotator: str | None,
           limit: int, as_json: bool) -> None:
    """Search every report and every span; the query language is in the README.

    Words and "quoted phrases" (word* for a prefix, -word to exclude, OR) search
    the title and text; is:todo|progress|done, has:LABEL (yours), by:NAME,
    span:WORDS or span:LABEL:WORDS (in span quotes and notes), date:2025-11 or
    date:A..B and source:WORDS narrow it.  Exit status: 0 with hits, 1 with none,
    2 for a malformed query.
    """
    text = " ".join(query)
    try:
        parsed = parse(text)
    except QueryError as e:
        click.echo(f"Error: bad query: {printable(e)}", err=True)
        ctx.exit(2)
    if not parsed.groups:
        click.echo("Error: bad query: it is empty (give words or qualifiers)", err=True)
        ctx.exit(2)
    who = annotator_name(ctx, annotator)
    store = open_store(ctx, db, create=False)
    result = store.search(parsed, who, limit=limit or None)
    for warning in result.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    snippets = {} if as_json else store.search_snippets(parsed, result.ids, SNIPPET_WIDTH)
    titles = {} if as_json else store.titles(result.ids)
    for rank, aid in enumerate(result.ids, 1):
        if as_json:
            click.echo(json_text(hit_record(store, parsed, aid, rank), indent=None))
        else:
            click.echo(f"{printable(aid)}  {printable(titles.get(aid, ''))}")
            if parsed.searches_text and aid in snippets:
                click.echo("    " + shown_snippet(snippets[aid]))
    shown = len(result.ids)
    total = result.total if result.total is not None else shown  # counted: always an int
    more = f" (showing {shown}; --limit 0 for all)" if shown < total else ""
    click.echo(f"{total} hit{'s' if total != 1 else ''}{more}", err=True)
    ctx.exit(0 if total else 1)


def hit_record(store: Store, query: Query, article_id: str, rank: int) -> dict[str, Any]:
    """One ``--json`` line: the hit (``rank`` 1 is the best) and every match's offsets."""
    article = store.get_article(article_id)
    assert article is not None
    fields = {"title": article.title, "text": article.text, "source": article.source or ""}
    found = store.search_matches(query, article_id)
    notes = {s.id: s.note or "" for s in store.spans(article_id)
             if any(m.span_id == s.id for m in found)}
    return {
        "rank": rank,
        "id": article.id,
        "title": article.title,
        "published": article.published,
        "source": article.source,
        "matches": [match_record(m, fields, notes) for m in found],
    }
