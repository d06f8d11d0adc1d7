"""``stancemark agreement``: pairwise span F1, token kappa, relation F1 and Krippendorff's alpha.

The figures come from :mod:`annotations.agreement` over the raters of
:mod:`annotations.raters` (gold left out unless ``--include-gold``;
definitions in the README); this module only prints them.  An undefined figure is ``-`` in the
table and ``null`` in JSON, never a made-up 0 or 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from annotations.agreement import TABLE_HEADS, AgreementReport, figure_text, table_rows
from annotations.output import json_text
from annotations.raters import store_agreement
from annotations.safety import printable
from annotations.store import Store
from tui.cli.options import (
    annotators_filter_option,
    db_option,
    json_option,
    label_filter_option,
    pass_existing_store,
)


def agreement_table(report: AgreementReport) -> str:
    """The pairwise table as plain text (names made printable)."""
    rows: list[Sequence[str]] = [TABLE_HEADS]
    for row in table_rows(report):
        rows.append((printable(row[0]), printable(row[1]), *row[2:]))
    widths = [max(len(r[i]) for r in rows) for i in range(len(TABLE_HEADS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("")
    lines.append(f"Krippendorff's alpha (nominal, tokens): {figure_text(report.alpha)} over "
                 f"{report.alpha_articles} article(s)")
    if not report.pairs:
        lines.insert(0, "fewer than two annotators: nothing to compare")
    return "\n".join(lines)


@click.command()
@db_option
@annotators_filter_option
@label_filter_option
@click.option("--include-gold", is_flag=True,
              help="Count gold (the reviewed set) as a rater; it is left out by default.")
@json_option
@pass_existing_store
def agreement(store: Store, annotators: tuple[str, ...], labels: tuple[str, ...],
              include_gold: bool, as_json: bool) -> None:
    """Pairwise exact / overlap span F1, token Cohen's kappa, relation F1, Krippendorff's alpha.

    Definitions are in the README; an undefined figure is printed as '-'
    (null in JSON), never a made-up 0 or 1.  gold, the reviewed set, is not a
    rater unless --include-gold (or --annotator gold).
    """
    report = store_agreement(store, annotators=annotators, labels=labels,
                             include_gold=include_gold)
    click.echo(json_text(report.to_dict()) if as_json else agreement_table(report))
