"""The open article's title and metadata, above its text."""

from __future__ import annotations

from textual.content import Content

from annotations.model import Article
from tui.safe import one_line
from tui.widgets.content_static import ContentStatic

STATUS_TEXT = {"todo": "to do", "in_progress": "in progress", "done": "done"}


class ArticleHeader(ContentStatic):
    DEFAULT_CSS = """
    ArticleHeader {
        height: auto;
        max-height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
    }
    """

    AUTO_HEIGHT = True  # two lines, three with the review's figures

    def show_article(self, article: Article | None, status: str = "todo", *,
                     status_name: str = "status", figures: Content | None = None) -> None:
        """Title, then metadata and status; ``figures`` (the review's agreement) below."""
        if article is None:
            self.show_content(Content.styled("No article open.", "$text-muted"))
            return
        title = Content.styled(one_line(article.title or article.id), "bold")
        bits = [
            one_line(b)
            for b in (article.published, article.source, article.url)
            if b
        ]
        meta = Content.assemble(
            (" · ".join(bits) + ("  " if bits else ""), "$text-muted"),
            (f"{status_name}: ", "$text-muted"),
            (STATUS_TEXT.get(status, status), "$accent" if status == "done" else ""),
        )
        lines = [title, meta] if figures is None else [title, meta, figures]
        self.show_content(Content("\n").join(lines))
