"""Agreement statistics: the pairwise table of ``stancemark agreement``, and alpha.

Computed (``Store.agreement_inputs`` + ``compute_agreement``, exactly what the
command prints) in a thread on a read connection of its own, so a big
database never freezes the screen; escape closes.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from annotations.agreement import (
    TABLE_HEADS,
    AgreementReport,
    compute_agreement,
    figure_text,
    table_rows,
)
from annotations.store import Store, StoreError
from tui import keys as K
from tui.safe import one_line

#: Columns holding names (left-aligned); the rest are numbers.
NAME_COLUMNS = 2


def compute_report(store: Store) -> AgreementReport:
    texts, spans, done = store.agreement_inputs()
    return compute_agreement(texts, spans, done)


class StatsScreen(ModalScreen[None]):
    CSS_PATH = "stats.tcss"
    BINDINGS = K.bindings(K.STATS_KEYS)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.report: AgreementReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="stats-box"):
            yield Static(Content.styled("Agreement statistics", "bold"), id="stats-title",
                         markup=False)
            yield DataTable(id="stats-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content.styled("computing…", "$text-muted"), id="stats-alpha",
                         markup=False)
            yield Static(
                Content.styled(
                    "exact / overlap span F1 and token Cohen's kappa per pair, on the articles "
                    "both annotated; '-' = undefined · same as `stancemark agreement` · "
                    "escape closes",
                    "$text-muted",
                ),
                id="stats-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for i, head in enumerate(TABLE_HEADS):
            table.add_column(Text(head, justify="left" if i < NAME_COLUMNS else "right"),
                             key=head)
        self._compute()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _compute(self) -> None:
        try:
            reader = Store.open(self.store.path, create=False)
        except StoreError:
            reader = None
        try:
            report = compute_report(reader or self.store)
        finally:
            if reader is not None:
                reader.close()
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: AgreementReport) -> None:
        if not self.is_attached:
            return  # closed before the figures were ready
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

    def action_close(self) -> None:
        self.dismiss(None)
