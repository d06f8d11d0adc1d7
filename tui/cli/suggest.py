"""``stancemark suggest``: print the suggestions of articles, or store them as someone's spans.

The suggestions are the annotator's (``--annotator``): the model learns from
the config's ``train_on`` annotators (``me`` is ``--annotator``), their
rejections stay away, and sentences they already tagged get none.  With
``--apply --as NAME`` they become spans of NAME (checked like any annotator
name: ``gold`` is refused, since gold is made only by reviewing), skipping the
sentences NAME already tagged, so that applying twice adds nothing; each span
records its source and who applied it in its ``attributes``, and each is an
event of NAME's (so nobody's ``u`` in the annotator undoes them).  Each
article's spans are stored in one transaction that carries the ``text_sha256``
its suggestions were worked out in: an article re-imported with another text
meanwhile is refused whole (``StaleText``: said, the others go on, exit status 1).  A team
pre-annotates as ``model`` this way, then compares and corrects in the review
screen.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click

from annotations.config import ConfigError, load_config, resolve_annotator, suggest_settings
from annotations.labels import LabelError, load_labels
from annotations.output import json_text, print_message
from annotations.safety import printable
from annotations.store import StaleText
from annotations.suggest.engine import Suggester, Suggestion
from tui.cli.options import (
    annotator_option,
    checked_annotator,
    db_option,
    fail,
    group_setting,
    json_option,
    labels_file_option,
    open_store,
)


def suggestion_row(s: Suggestion, quote: str) -> dict[str, Any]:
    return {"article": s.article_id, "start": s.start, "end": s.end, "label": s.label,
            "source": s.source, "confidence": s.confidence, "cue": s.cue, "quote": quote}


@click.command()
@db_option
@annotator_option
@labels_file_option
@click.option("--article", "article_ids", multiple=True, metavar="ID",
              help="Only this article (repeatable; default: every article).")
@click.option("--source", type=click.Choice(["cues", "model", "all"]), default=None,
              help="Which suggester: the labels' cue words, the model learned from the team's "
              "tags, or both (default: the config's suggest: settings, both on).")
@json_option
@click.option("--apply", "apply", is_flag=True,
              help="Store the suggestions as spans of --as NAME instead of printing them.")
@click.option("--as", "as_name", metavar="NAME",
              help="Whose spans --apply stores (for example model; not gold).")
@click.pass_context
def suggest(ctx: click.Context, db: str | None, annotator: str | None, labels_file: str | None,
            article_ids: tuple[str, ...], source: str | None, as_json: bool, apply: bool,
            as_name: str | None) -> None:
    """Print suggestions (article, start, end, label, source, confidence, quote).

    Suggestions come from the labels' cue words and from a model trained on the
    team's tags (see the README).  --apply --as NAME stores them as NAME's spans
    instead, so a batch can be pre-annotated and then corrected.
    """
    if apply and not as_name:
        raise click.UsageError("--apply needs --as NAME (whose spans to store)")
    if as_name and not apply:
        raise click.UsageError("--as NAME goes with --apply")
    owner = checked_annotator(as_name) if as_name else None
    try:
        config = load_config()
        labels = load_labels(labels_file or group_setting(ctx, "labels_file"))
    except (ConfigError, LabelError) as e:
        fail(e)
    me = checked_annotator(resolve_annotator(annotator or group_setting(ctx, "annotator"),
                                             config))
    settings = suggest_settings(config)
    if source is not None:
        settings = replace(settings, cues=source in ("cues", "all"),
                           model=source in ("model", "all"))
    store = open_store(ctx, db, create=False)
    known = set(store.article_ids())
    missing = [a for a in article_ids if a not in known]
    if missing:
        fail(f"no article {missing[0]!r} in {store.path}")
    ids = list(dict.fromkeys(article_ids)) if article_ids else sorted(known)
    suggester = Suggester(store, labels, settings)
    if settings.model:
        suggester.train(me)
        if suggester.model_note:
            print_message(f"note: model: {suggester.model_note}")
    rows: list[dict[str, Any]] = []
    stored = already = stale = 0
    for article_id in ids:
        result = suggester.suggest(me, article_id, owner=owner)
        if apply:
            assert owner is not None
            items = [(s.label, s.start, s.end,
                      {"suggestion": {"source": s.source, "cue": s.cue,
                                      "confidence": s.confidence},
                       "applied_by": me}) for s in result.suggestions]
            try:
                # The text the suggestions were worked out in: re-imported meanwhile, the
                # article is refused whole (offsets would point elsewhere), the rest go on.
                added = store.add_spans(article_id, owner, items, actor=owner,
                                        text_sha256=result.text_sha256)
            except StaleText as e:
                print_message(f"error: {e}")
                stale += 1
                continue
            stored += len(added)
            already += len(items) - len(added)
            continue
        article = store.get_article(article_id)
        assert article is not None
        rows.extend(suggestion_row(s, article.text[s.start:s.end]) for s in result.suggestions)
    if apply:
        print_message(f"stored {stored} span(s) of {owner} on {len(ids) - stale} article(s)"
                      + (f" ({already} already there)" if already else ""))
        if stale:
            fail(f"{stale} article(s) changed while their suggestions were worked out: "
                 "nothing stored for them (run the command again)")
        return
    if as_json:
        click.echo(json_text(rows))
        return
    for r in rows:
        confidence = "" if r["confidence"] is None else f"{r['confidence']:.2f}"
        click.echo("\t".join((printable(r["article"]), str(r["start"]), str(r["end"]),
                              printable(r["label"]), r["source"], confidence,
                              printable(r["quote"]))))
