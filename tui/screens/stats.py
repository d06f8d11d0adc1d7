"""Agreement statistics: the pairwise table of ``stancemark agreement``, and alpha.

Computed (:func:`annotations.raters.store_agreement`, exactly what the
command prints) in a thread on a read connection of its own, so a big
database never freezes the screen; escape closes.  ``gold`` is left out as
the command leaves it out, unless the app was started with
``--include-gold``; ``g`` counts it in or leaves it out again.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from annotations.agreement import TABLE_HEADS, AgreementReport, figure_text, table_rows
from annotations.raters import store_agreement
from annotations.store import Store, StoreError
from tui import keys as K
from tui.safe import one_line

#: Columns holding names (left-aligned); the rest are numbers.
NAME_COLUMNS = 2


def compute_report(store: Store, include_gold: bool = False) -> AgreementReport:
    return store_agreement(store, include_gold=include_gold)


class StatsScreen(ModalScreen[None]):
    CSS_PATH = "stats.tcss"
    BINDINGS = K.bindings(K.STATS_KEYS)

    def __init__(self, store: Store, *, include_gold: bool = False) -> None:
        super().__init__()
        self.store = store
        self.include_gold = include_gold
        self.report: AgreementReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="stats-box"):
            yield Static(Content.styled("Agreement statistics", "bold"), id="stats-title",
                         markup=False)
            yield DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content.styled("computing…", "$text-muted"), id="stats-alpha",
                         markup=False)
            yield Static(self._hint(), id="stats-hint", markup=False)

    def _hint(self) -> Content:
        gold = ("gold counted as a rater (g leaves it out)" if self.include_gold
                else "gold (the reviewed set) left out (g counts it)")
        return Content.styled(
            "exact / overlap span F1, token Cohen's kappa and exact / overlap relation F1 per "
            f"pair, on the articles both annotated; '-' = undefined · {gold} · same as `stancemark agreement` · "
            "escape closes",
            "$text-muted",
        )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for i, head in enumerate(TABLE_HEADS):
            table.add_column(Text(head, justify="left" if i < NAME_COLUMNS else "right"),
                             key=head)
        self._compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _compute(self) -> None:
        include_gold = self.include_gold
        try:
            reader = Store.open(self.store.path, create=False)
        except StoreError:
            reader = None
        try:
            report = compute_report(reader or self.store, include_gold)
        finally:
            if reader is not None:
                reader.close()
        self.app.call_from_thread(self.show_report, report, include_gold)

    def show_report(self, report: AgreementReport, include_gold: bool | None = None) -> None:
        if not self.is_attached:
            return  # closed before the figures were ready
        if include_gold is not None and include_gold != self.include_gold:
            return  # computed before g was pressed again: a newer one is on its way
        self.report = report
        table = self.query_one(DataTable)
        table.clear()
        for row in table_rows(report):
            cells = [Text(one_line(c, 30)) for c in row[:NAME_COLUMNS]]
            cells += [Text(c, justify="right") for c in row[NAME_COLUMNS:]]
            table.add_row(*cells)
        alpha = Content.assemble(
            ("Krippendorff's alpha (nominal, tokens): ", "$text-muted"),
            (figure_text(report.alpha), "bold"),
            (f" over {report.alpha_articles} article(s)", "$text-muted"),
        )
        if not report.pairs:
            alpha = Content("\n").join(
                [Content.styled("Fewer than two annotators: nothing to compare.", "$warning"),
                 alpha])
        self.query_one("#stats-alpha", Static).update(alpha)

    def action_toggle_gold(self) -> None:
        """``g``: count gold as a rater, or leave it out again."""
        self.include_gold = not self.include_gold
        self.query_one("#stats-hint", Static).update(self._hint())
        self.query_one("#stats-alpha", Static).update(Content.styled("computing…",
                                                                     "$text-muted"))
        self._compute()

    def action_close(self) -> None:
        self.dismiss(None)
