"""Every key binding of the annotator, in one table.

Each binding has an ``id`` that a config file may remap (``keys:`` maps an
id to comma-separated keys; see :mod:`annotations.config`).  The widgets take
their ``BINDINGS`` from here and the help screen lists this table, so the
two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from textual.binding import Binding, BindingType

from annotations.model import Label
from annotations.relation_types import RelationType, relation_types_of


@dataclass(frozen=True)
class Key:
    id: str
    keys: str
    action: str
    description: str
    group: str
    #: shown in the footer (when it applies)
    show: bool = False
    #: the footer's short text (``description`` otherwise)
    short: str = ""

    def binding(self, keys: str | None = None) -> Binding:
        return Binding(
            keys or self.keys,
            self.action,
            self.short or self.description,
            show=self.show,
            id=self.id,
        )


MOVE, SELECT, TAG, SPANS, ARTICLES, SEARCH, APP, LIST, SPAN_LIST, REVIEW, LINK = (
    "Move",
    "Select",
    "Tag",
    "Spans",
    "Articles",
    "Search",
    "App",
    "Article list",
    "Span list",
    "Review",
    "Link (while picking a target)",
)

READER_KEYS: tuple[Key, ...] = (
    Key("cursor_left", "left,h", "cursor_left", "Cursor left", MOVE),
    Key("cursor_right", "right,l", "cursor_right", "Cursor right", MOVE),
    Key("cursor_up", "up,k", "cursor_up", "Cursor up", MOVE),
    Key("cursor_down", "down,j", "cursor_down", "Cursor down", MOVE),
    Key("word_next", "w", "word_next", "Next word", MOVE),
    Key("word_previous", "b", "word_previous", "Previous word", MOVE),
    Key("paragraph_previous", "left_curly_bracket", "paragraph_previous",
        "Previous paragraph", MOVE),
    Key("paragraph_next", "right_curly_bracket", "paragraph_next", "Next paragraph", MOVE),
    Key("sentence_next", "right_parenthesis", "sentence_next", "Start of the next sentence",
        MOVE),
    Key("sentence_previous", "left_parenthesis", "sentence_previous",
        "Start of this / the previous sentence", MOVE),
    Key("line_start", "home", "cursor_line_start", "Start of line", MOVE),
    Key("line_end", "end", "cursor_line_end", "End of line", MOVE),
    Key("page_up", "pageup", "cursor_page_up", "Page up", MOVE),
    Key("page_down", "pagedown", "cursor_page_down", "Page down", MOVE),
    Key("select_left", "shift+left", "cursor_left(True)", "Extend selection left", SELECT),
    Key("select_right", "shift+right", "cursor_right(True)", "Extend selection right", SELECT),
    Key("select_up", "shift+up", "cursor_up(True)", "Extend selection up", SELECT),
    Key("select_down", "shift+down", "cursor_down(True)", "Extend selection down", SELECT),
    Key("select_sentence", "s", "select_sentence", "Select the sentence at the cursor",
        SELECT, show=True, short="sentence"),
    Key("extend_word_next", "W,ctrl+shift+right", "extend_word_next",
        "Extend the selection to the end of the next word", SELECT, show=True, short="+word"),
    Key("extend_word_previous", "B,ctrl+shift+left", "extend_word_previous",
        "Extend the selection back to the start of the previous word", SELECT),
    # S and P stay out of the footer: with them it no longer fits 120 columns once an
    # article has spans (the label keys and `?` fell off its end).
    Key("extend_sentence", "S", "extend_sentence",
        "Extend the selection by the next whole sentence", SELECT),
    Key("select_paragraph", "P", "select_paragraph", "Select the paragraph at the cursor",
        SELECT),
    Key("clear_selection", "escape", "clear_selection",
        "Clear the selection (without one: clear the search)", SELECT),
    Key("copy", "ctrl+c", "copy", "Copy the selected text", SELECT),
    Key("span_next", "tab", "screen.jump_span(1)", "Jump to the next span", SPANS, show=True,
        short="next span"),
    Key("span_previous", "shift+tab", "screen.jump_span(-1)", "Jump to the previous span", SPANS),
    Key("match_next", "m", "screen.jump_match(1)", "Next search match", SEARCH, show=True,
        short="next match"),
    Key("match_previous", "M", "screen.jump_match(-1)", "Previous search match", SEARCH),
)

SCREEN_KEYS: tuple[Key, ...] = (
    Key("delete_span", "backspace,delete", "delete_span",
        "Delete the span under the cursor", SPANS, show=True, short="delete"),
    Key("edit_note", "n", "edit_note", "Add or edit the span's note",
        SPANS, show=True, short="note"),
    Key("replace_orphan", "p", "replace_orphan",
        "Re-place an orphan on the selection", SPANS, show=True, short="re-place"),
    Key("undo", "u", "undo", "Undo (also after a restart)", SPANS, show=True, short="undo"),
    Key("redo", "ctrl+r", "redo", "Redo", SPANS),
    Key("done_next", "space", "done_next", "Mark done, open the next not done",
        ARTICLES, show=True, short="done"),
    Key("next_article", "right_square_bracket", "next_article", "Next article", ARTICLES),
    Key("previous_article", "left_square_bracket", "previous_article", "Previous article",
        ARTICLES),
    Key("focus_filter", "slash", "focus_filter", "Search reports and spans", SEARCH),
    Key("toggle_list", "L", "toggle_list", "Show or hide the article list", ARTICLES),
    Key("focus_spans", "o", "focus_spans", "Go to the span list (orphans)", SPANS),
    Key("toggle_snap", "ctrl+t", "toggle_snap",
        "Snap selections to words on / off", SELECT),
    Key("toggle_team", "T", "toggle_team",
        "Show or hide teammates' spans (dimmed, read-only)", SPANS),
    Key("link_start", "greater_than_sign", "start_link",
        "Link the span under the cursor to another (pick the target)", SPANS, show=True,
        short="link"),
)

#: While a link's target is picked (the link bar has the focus): only these keys and the
#: relation types' own keys work; escape cancels.
LINK_KEYS: tuple[Key, ...] = (
    Key("link_next", "tab,right,down,l,j", "screen.link_move(1)", "Next candidate target",
        LINK, show=True, short="next"),
    Key("link_previous", "shift+tab,left,up,h,k", "screen.link_move(-1)",
        "Previous candidate target", LINK),
    Key("link_confirm", "enter", "screen.link_confirm",
        "Link to the target (when one relation type fits the pair)", LINK, show=True,
        short="link"),
    Key("link_cancel", "escape", "screen.link_cancel", "Stop linking", LINK, show=True,
        short="cancel"),
)

APP_KEYS: tuple[Key, ...] = (
    Key("help", "question_mark", "help", "This help screen", APP, show=True, short="keys"),
    Key("command_palette", "ctrl+p", "command_palette",
        "Command palette (go to, themes…)", APP, short="palette"),
    Key("quit", "q", "quit", "Quit (everything is already saved)", APP),
)

LIST_KEYS: tuple[Key, ...] = (
    Key("list_up", "up", "move(-1)", "Previous row", LIST),
    Key("list_down", "down", "move(1)", "Next row", LIST),
    Key("list_page_up", "pageup", "page(-1)", "Page up", LIST),
    Key("list_page_down", "pagedown", "page(1)", "Page down", LIST),
    Key("list_first", "home", "first", "First row", LIST),
    Key("list_last", "end", "last", "Last row", LIST),
    Key("list_open", "enter", "open", "Open the article", LIST, show=True, short="open"),
    Key("list_leave", "escape", "leave", "Clear the search, back to the reader", LIST,
        show=True, short="back"),
)

FILTER_KEYS: tuple[Key, ...] = (
    Key("filter_open", "enter", "open", "Open the highlighted article", LIST, show=True,
        short="open"),
    Key("filter_to_list", "down", "to_list", "Move into the list", LIST),
    Key("filter_leave", "escape", "leave", "Clear the search, back to the reader", LIST,
        show=True, short="clear"),
)

SPAN_LIST_KEYS: tuple[Key, ...] = (
    Key("spans_up", "up", "move(-1)", "Previous span", SPAN_LIST),
    Key("spans_down", "down", "move(1)", "Next span", SPAN_LIST),
    Key("spans_open", "enter", "open", "Show the span in the text", SPAN_LIST, show=True,
        short="show"),
    Key("spans_leave", "escape", "leave", "Back to the reader", SPAN_LIST, show=True,
        short="back"),
)


#: The review screen's own keys; the label keys there tag ``gold``.
REVIEW_KEYS: tuple[Key, ...] = (
    Key("review_accept", "a", "accept", "Accept the span under the cursor into gold",
        REVIEW, show=True, short="accept"),
    Key("review_reject", "r", "reject", "Reject the span under the cursor", REVIEW,
        show=True, short="reject"),
    Key("review_accept_agreed", "A", "accept_agreed",
        "Accept every span all chosen annotators agree on", REVIEW, show=True,
        short="agreed"),
    Key("review_next", "tab", "screen.jump_item(1)", "Next disagreement", REVIEW, show=True,
        short="next"),
    Key("review_previous", "shift+tab", "screen.jump_item(-1)", "Previous disagreement",
        REVIEW),
    Key("review_back", "escape", "clear_or_back",
        "Clear the selection, or back to the annotator", REVIEW),
)
_REVIEW_READER_IDS = {"review_next", "review_previous", "review_back"}

#: Keys that work on the review screen too but stay out of its (crowded) footer.
_REVIEW_UNSHOWN = {"select_sentence", "extend_word_next", "edit_note", "link_start"}


def _quiet(keys: Iterable[Key]) -> list[Key]:
    return [replace(k, show=False) if k.id in _REVIEW_UNSHOWN else k for k in keys]


#: The review reader: the reader's keys, with tab / shift+tab / escape for reviewing.
REVIEW_READER_KEYS: tuple[Key, ...] = (
    *_quiet(k for k in READER_KEYS
            if k.id not in {"span_next", "span_previous", "clear_selection"}),
    *(k for k in REVIEW_KEYS if k.id in _REVIEW_READER_IDS),
)
#: The review screen: accept / reject, then the annotator's keys acting on gold.
REVIEW_SCREEN_KEYS: tuple[Key, ...] = (
    *(k for k in REVIEW_KEYS if k.id not in _REVIEW_READER_IDS),
    *_quiet(SCREEN_KEYS),
)

STATS_KEYS: tuple[Key, ...] = (
    Key("stats_close", "escape,q", "close", "Close the agreement statistics", REVIEW),
    Key("stats_gold", "g", "toggle_gold",
        "Agreement statistics: count gold as a rater, or leave it out", REVIEW),
)


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    """The keys as a widget's ``BINDINGS`` (typed as Textual declares that list)."""
    return [k.binding() for k in keys]


def label_keys(labels: Sequence[Label]) -> list[Key]:
    """``tag_<name>``: the label's key and its number 1..9 (in schema order)."""
    out = []
    for i, label in enumerate(labels):
        keys = [label.key] if label.key else []
        if i < 9:
            keys.append(str(i + 1))
        if not keys:
            continue
        out.append(
            Key(
                f"tag_{label.name}",
                ",".join(keys),
                f"tag({i})",
                f"Tag as {label.name} / relabel the span",
                TAG,
                show=True,
                short=label.name,
            )
        )
    return out


def relation_keys(types: Sequence[RelationType]) -> list[Key]:
    """``link_as_<name>``: a relation type's key, active only while a target is picked."""
    return [
        Key(f"link_as_{kind.name}", kind.key, f"screen.link_as({i})",
            f"Link as {kind.name} ({kind.describe_ends()})", LINK, show=True, short=kind.name)
        for i, kind in enumerate(types) if kind.key
    ]


def all_keys(labels: Sequence[Label]) -> list[Key]:
    return [
        *label_keys(labels),
        *READER_KEYS,
        *SCREEN_KEYS,
        *LINK_KEYS,
        *relation_keys(relation_types_of(labels)),
        *APP_KEYS,
        *LIST_KEYS,
        *FILTER_KEYS,
        *SPAN_LIST_KEYS,
        *REVIEW_KEYS,
        *STATS_KEYS,
    ]


def keys_for(key: Key, keymap: Mapping[str, str] | None) -> list[str]:
    """The keys bound to ``key`` after the user's remaps."""
    raw = (keymap or {}).get(key.id) or key.keys
    return [k.strip() for k in str(raw).split(",") if k.strip()]
