"""Deterministic benchmark data: news-like markdown reports, spans, packs and databases.

Everything here is a pure function of a seed (and an index), so two runs with
the same ``--seed`` measure exactly the same bytes.  Each article has its own
``random.Random`` seeded by ``(seed, index)``: the first ``n`` articles of a
big corpus are the same as the articles of a small one.

The databases are filled with bulk SQL (not the store API): building a
million spans one committed ``add_span`` at a time would take far longer than
the benchmarks themselves.  The rows follow the store's own schema and
conventions (``SPAN_COLUMNS``, canonical JSON attributes, quote + context).
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from annotations.agreement import tokenize
from annotations.anchoring import context
from annotations.articles import read_markdown
from annotations.model import Article, Span, Status, StatusRecord
from annotations.store import SPAN_COLUMNS, Store

LABELS = ("claim", "denial", "context")
LABEL_WEIGHTS = (5, 2, 3)

# --------------------------------------------------------------------------- words

_FIRST = (
    "Amina Joseph Clara Tomás Priya Oliver Zoë Mateus Hannah Kwame Ingrid Luca Sofia Daniel "
    "Fatima Yusuf Elena Marcus Chloé Ravi Grace Nikolai Aisha Henrik Mei Samuel Noor Pablo "
    "Leila Owen Ana Björn Chiara Tunde Isabel"
).split()
_LAST = (
    "Okafor Brennan Haddad Lindqvist Moreau Castillo Nakamura Whitfield Mensah Novak Rossi "
    "Fernández Schultz Adeyemi Kowalski Duarte O'Neill Petrov Varga Singh Sørensen Mbeki "
    "Ibrahim Costa Lefèvre Tanaka Hughes Abara Jensen Marsh"
).split()
_ORGS = (
    "Eastmere Health Board", "Harbor Authority", "Brightwell Systems Ltd.", "the Finance Ministry",
    "Northgate Council", "Acme Engineering", "the Central Bank", "Riverside Water Company",
    "the Transport Agency", "Meridian Pharmaceuticals", "the Electoral Commission",
    "Kestrel Mining Corp.", "the Port of Valmont", "Union of Rail Workers", "Solenne Energy",
    "the National Audit Office", "Crown Prosecution Service", "Greenfield Logistics",
)
_PLACES = (
    "Eastmere", "Valmont", "São Paulo", "Northgate", "Lagos", "Kraków", "Riverside", "Aarhus",
    "Port Elwyn", "Marseille", "the capital", "the northern district", "Zürich", "Nairobi",
)
_ROLES = (
    "spokesperson", "chief executive", "finance director", "minister", "auditor",
    "union representative", "lead engineer", "press officer", "committee chair", "analyst",
    "senior researcher", "board member", "deputy mayor", "prosecutor",
)
_NOUNS = (
    "contract report bridge budget audit payment memo investigation inquiry council project "
    "statement allegation claim figure document review decision policy plan scheme deal loan "
    "inspection survey programme committee hearing agreement shipment supplier tender grant "
    "deadline estimate forecast warning complaint lawsuit settlement licence permit emission "
    "reservoir pipeline terminal vessel trial vaccine dataset election ballot district"
).split()
_ADJS = (
    "internal independent preliminary leaked official public disputed revised confidential "
    "annual regional national unverified detailed brief critical substantial routine "
    "undisclosed former senior local foreign delayed controversial"
).split()
_VERBS = (
    "approved rejected delayed extended reviewed published disputed questioned confirmed "
    "cancelled funded awarded inspected audited reported flagged postponed signed "
    "investigated amended challenged"
).split()
_REPORTING = (
    "said", "told reporters", "wrote in a statement", "said in an interview", "claimed",
    "insisted", "denied", "argued", "acknowledged", "maintained", "added",
)
_FILLER = (
    "the of and to in that for on with as by at from its their has had was were is are it this "
    "which would could may not but also after before since during while about more than over "
    "under between against last next first two three several many most some"
).split()
_SOURCES = (
    "The Harbour Ledger", "Civic Accounts Review", "Valmont Evening Post", "Northgate Wire",
    "Reuters", "Eastmere Courier", "The Daily Register", "Metro Business Desk",
)
_SECTIONS = ("politics", "business", "health", "public-sector", "environment", "courts")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _amount(rng: random.Random) -> str:
    cur = rng.choice(("£", "$", "€"))
    return f"{cur}{rng.randint(1, 950)}{rng.choice(('', '.5', '.2'))} {rng.choice(('million', 'billion', 'thousand'))}"


def _clause(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(6, 14)):
        r = rng.random()
        if r < 0.45:
            words.append(rng.choice(_FILLER))
        elif r < 0.7:
            words.append(rng.choice(_NOUNS))
        elif r < 0.85:
            words.append(rng.choice(_ADJS))
        else:
            words.append(rng.choice(_VERBS))
    return " ".join(words)


def _sentence(rng: random.Random, inline: bool = True) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        s = (f"{_name(rng)}, {rng.choice(_ROLES)} at {rng.choice(_ORGS)}, {rng.choice(_REPORTING)} "
             f"that the {rng.choice(_ADJS)} {rng.choice(_NOUNS)} was {rng.choice(_VERBS)} "
             f"{_clause(rng)}.")
    elif kind == 1:
        s = (f"\"The {rng.choice(_NOUNS)} {_clause(rng)},\" {rng.choice(_REPORTING)} "
             f"{_name(rng)}, a {rng.choice(_ROLES)}.")
    elif kind == 2:
        s = (f"According to the {rng.choice(_ADJS)} {rng.choice(_NOUNS)}, {rng.choice(_ORGS)} "
             f"{rng.choice(_VERBS)} {_amount(rng)} in {rng.randint(2015, 2025)}.")
    elif kind == 3:
        s = (f"{_cap(rng.choice(_ORGS))} {rng.choice(('denied', 'rejected', 'disputed'))} "
             f"the {rng.choice(_NOUNS)}, calling it {rng.choice(_ADJS)} and {_clause(rng)}.")
    elif kind == 4:
        s = (f"In {rng.choice(_PLACES)}, officials {rng.choice(_VERBS)} the {rng.choice(_NOUNS)} "
             f"{_clause(rng)}.")
    elif kind == 5:
        s = f"{_cap(_clause(rng))}, {_clause(rng)}."
    else:
        s = (f"The {rng.choice(_NOUNS)} was first {rng.choice(_VERBS)} on "
             f"{rng.randint(1, 28)} {rng.choice(('March', 'June', 'Sept.', 'November'))}, "
             f"{rng.randint(2019, 2025)}, {_clause(rng)}.")
    if inline and rng.random() < 0.15:
        words = s.split(" ")
        i = rng.randrange(1, max(2, len(words) - 2))
        mark = rng.choice(("**", "*", "`", "link"))
        if mark == "link":
            words[i] = f"[{words[i]}](https://example.org/{rng.choice(_NOUNS)}/{rng.randint(1, 9999)})"
        elif words[i].strip(",.\"") == words[i]:
            words[i] = f"{mark}{words[i]}{mark}"
        s = " ".join(words)
    return s


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _title(rng: random.Random) -> str:
    return (f"{_cap(rng.choice(_ORGS))} {rng.choice(('disputes', 'defends', 'questions', 'denies'))} "
            f"{rng.choice(_ADJS)} {rng.choice(_NOUNS)} over {_amount(rng)} {rng.choice(_NOUNS)}")


def article_id(i: int) -> str:
    return f"report-{i:06d}"


def markdown_article(seed: int, i: int, size: int = 5000) -> str:
    """Report ``i``: YAML front matter and a markdown body of about ``size`` characters."""
    rng = random.Random(f"{seed}:article:{i}")
    title = _title(rng)
    day = datetime(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
    target = int(size * rng.uniform(0.9, 1.1))
    head = [
        "---",
        f"id: {article_id(i)}",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {day:%Y-%m-%d}",
        f"source: {rng.choice(_SOURCES)}",
        f"url: https://example.org/news/{article_id(i)}",
        f"section: {rng.choice(_SECTIONS)}",
        f"author: {_name(rng)}",
        "---",
        "",
        f"# {title}",
        "",
    ]
    parts = ["\n".join(head) + "\n"]
    length = len(parts[0])
    while length < target:
        r = rng.random()
        if r < 0.1:
            block = f"## {_cap(rng.choice(_ADJS))} {rng.choice(_NOUNS)} in {rng.choice(_PLACES)}"
        elif r < 0.2:
            block = f"> {_sentence(rng, inline=False)} {_sentence(rng, inline=False)}"
        elif r < 0.28:
            numbered = rng.random() < 0.5
            items = [f"{k + 1}. " if numbered else "- " for k in range(rng.randint(2, 4))]
            block = "\n".join(item + _sentence(rng) for item in items)
        else:
            block = _paragraph(rng)
        parts.append(block + "\n\n")
        length += len(block) + 2
    return "".join(parts).rstrip("\n") + "\n"


def write_markdown_corpus(folder: Path, seed: int, n: int, size: int = 5000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"{article_id(i)}.md"
        p.write_text(markdown_article(seed, i, size), encoding="utf-8")
        paths.append(p)
    return paths


def articles(seed: int, n: int, size: int = 5000) -> list[Article]:
    """The first ``n`` reports parsed exactly as an import would parse them."""
    return [
        read_markdown(Path(f"{article_id(i)}.md"), markdown_article(seed, i, size))
        for i in range(n)
    ]


# --------------------------------------------------------------------------- spans

_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _stamp(seconds: float) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def token_ranges(
    rng: random.Random, tokens: Sequence[tuple[int, int]], n: int
) -> list[tuple[int, int]]:
    """``n`` token-aligned character ranges of 1-25 tokens (they may overlap, like real tags)."""
    out: list[tuple[int, int]] = []
    if not tokens:
        return out
    for _ in range(n):
        first = rng.randrange(len(tokens))
        last = min(len(tokens) - 1, first + rng.randint(0, 24))
        out.append((tokens[first][0], tokens[last][1]))
    return out


def make_span(
    rng: random.Random, art: Article, annotator: str, start: int, end: int,
    label: str | None = None, *, deleted: float = 0.0,
) -> Span:
    text = art.text
    prefix, suffix = context(text, start, end)
    created = rng.uniform(0, 180 * 86400)
    updated = created + (rng.uniform(0, 86400) if rng.random() < 0.2 else 0.0)
    deleted_at = _stamp(updated + 60) if deleted and rng.random() < deleted else None
    return Span(
        id=_uuid(rng),
        article_id=art.id,
        annotator=annotator,
        label=label or rng.choices(LABELS, LABEL_WEIGHTS)[0],
        start=start,
        end=end,
        text=text[start:end],
        prefix=prefix,
        suffix=suffix,
        note="checked against the original filing" if rng.random() < 0.05 else None,
        attributes={"confidence": rng.choice(("high", "medium", "low"))} if rng.random() < 0.1 else {},
        created_at=_stamp(created),
        updated_at=_stamp(updated if deleted_at is None else updated + 60),
        deleted_at=deleted_at,
    )


def spans_for(
    seed: int, art: Article, annotator: str, n: int, *, deleted: float = 0.0,
    tokens: Sequence[tuple[int, int]] | None = None,
) -> list[Span]:
    """``n`` spans of one annotator on one article, in text order."""
    rng = random.Random(f"{seed}:spans:{annotator}:{art.id}")
    toks = tokenize(art.text) if tokens is None else tokens
    spans = [make_span(rng, art, annotator, s, e, deleted=deleted)
             for s, e in token_ranges(rng, toks, n)]
    spans.sort(key=lambda s: (s.start, s.end, s.label, s.id))
    return spans


def second_opinion(
    seed: int, art: Article, theirs: Sequence[Span], annotator: str,
    tokens: Sequence[tuple[int, int]],
) -> list[Span]:
    """Another annotator's take: mostly the same spans, some moved, relabelled, missed, added."""
    rng = random.Random(f"{seed}:second:{annotator}:{art.id}")
    starts = [t[0] for t in tokens]
    ends = [t[1] for t in tokens]
    out = []
    for sp in theirs:
        r = rng.random()
        s, e, label = sp.start, sp.end, sp.label
        if r < 0.1:
            continue  # missed
        if r < 0.25:  # boundary moved by a token
            i = starts.index(s) if s in starts else 0
            j = ends.index(e) if e in ends else len(ends) - 1
            i = max(0, min(i + rng.choice((-1, 1)), j))
            j = min(len(ends) - 1, max(j + rng.choice((-1, 1)), i))
            s, e = starts[i], ends[j]
        elif r < 0.35:
            label = rng.choice([lab for lab in LABELS if lab != label])
        out.append(make_span(rng, art, annotator, s, e, label))
    for s, e in token_ranges(rng, tokens, max(0, len(theirs) - len(out))):
        out.append(make_span(rng, art, annotator, s, e))
    out.sort(key=lambda x: (x.start, x.end, x.label, x.id))
    return out


# ------------------------------------------------------------------------ database

#: The same settings :meth:`Store._setup` gives every connection.
def close_and_remove(handle: Store | sqlite3.Connection) -> None:
    """Close a store or a bare connection and delete its database file (WAL files too)."""
    if isinstance(handle, Store):
        path = Path(handle.path)
    else:
        path = Path(handle.execute("PRAGMA database_list").fetchone()[2])
    handle.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def bare_connect(path: Path | str) -> sqlite3.Connection:
    """A plain ``sqlite3`` connection with the store's PRAGMAs (WAL, synchronous FULL, busy timeout)."""
    from annotations.store import BUSY_TIMEOUT_MS, WAL_AUTOCHECKPOINT

    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
    return conn


def span_row(span: Span) -> list[object]:
    """A span as a row of ``spans`` in ``SPAN_COLUMNS`` order (attributes as canonical JSON)."""
    d = span.__dict__
    return [
        json.dumps(d[k] or {}, ensure_ascii=False, sort_keys=True) if k == "attributes" else d[k]
        for k in SPAN_COLUMNS
    ]


def insert_spans(store: Store, spans: Iterable[Span], chunk: int = 50_000) -> int:
    """Bulk-insert span rows in large transactions (data set-up only, never measured)."""
    cols = ", ".join(f'"{c}"' for c in SPAN_COLUMNS)
    sql = f"INSERT INTO spans ({cols}) VALUES ({', '.join('?' * len(SPAN_COLUMNS))})"
    n = 0
    batch: list[list[object]] = []

    def flush() -> None:
        store.conn.execute("BEGIN IMMEDIATE")
        store.conn.executemany(sql, batch)
        store.conn.execute("COMMIT")
        batch.clear()

    for sp in spans:
        batch.append(span_row(sp))
        n += 1
        if len(batch) >= chunk:
            flush()
    if batch:
        flush()
    return n


def insert_statuses(store: Store, records: Iterable[StatusRecord]) -> None:
    store.conn.execute("BEGIN IMMEDIATE")
    store.conn.executemany(
        "INSERT OR REPLACE INTO statuses (article_id, annotator, status, updated_at) "
        "VALUES (?, ?, ?, ?)",
        [(r.article_id, r.annotator, r.status, r.updated_at) for r in records],
    )
    store.conn.execute("COMMIT")


def build_database(
    path: Path, arts: Sequence[Article], spans_per_article: int, annotators: Sequence[str],
    seed: int, *, deleted: float = 0.01,
) -> int:
    """A store holding ``arts`` and ``spans_per_article`` spans on each, split over annotators."""
    store = Store.open(path)
    try:
        store.import_articles(arts)
        per = max(1, spans_per_article // len(annotators))

        def gen() -> Iterator[Span]:
            for art in arts:
                toks = tokenize(art.text)
                for who in annotators:
                    yield from spans_for(seed, art, who, per, deleted=deleted, tokens=toks)

        n = insert_spans(store, gen())
        rng = random.Random(f"{seed}:statuses")
        insert_statuses(store, (
            StatusRecord(art.id, who, rng.choice(("in_progress", "done")), _stamp(200 * 86400))
            for art in arts for who in annotators
        ))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return n


def copy_database(src: Path, dst: Path) -> Path:
    """Copy a (checkpointed) database file; the copy starts with no WAL."""
    import shutil

    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


# ------------------------------------------------------------------- TUI databases

#: The annotator the TUI cases open the app as.
TUI_ANNOTATOR = "ana"
#: Index of the long article of the key-press case (far from the short reports' ids).
BIG_ARTICLE_INDEX = 900_000


def short_articles(seed: int, n: int, size: int = 800) -> Iterator[Article]:
    """The first ``n`` short reports (about ``size`` characters of markdown), parsed, lazily.

    A 100,000-report list only needs titles, dates and sources; short bodies keep
    building the database quick.  Report ``i`` is the same whatever ``n`` is.
    """
    for i in range(n):
        yield read_markdown(Path(f"{article_id(i)}.md"), markdown_article(seed, i, size))


def build_list_database(path: Path, seed: int, n: int, annotator: str = TUI_ANNOTATOR) -> dict:
    """A store of ``n`` short reports, as an annotator's work in progress would look.

    Each report gets 0-6 spans of ``annotator`` (3 on average); a report with spans
    is ``in_progress`` or (one in three) ``done``.  Report ``i`` gets the same spans
    and status whatever ``n`` is, so a small database is a prefix of a big one.
    """
    store = Store.open(path)
    counts = {"articles": 0, "spans": 0, "statuses": 0}
    statuses: list[StatusRecord] = []
    source = short_articles(seed, n)
    try:
        while batch := list(itertools.islice(source, 5_000)):
            store.import_articles(batch)
            spans: list[Span] = []
            for art in batch:
                rng = random.Random(f"{seed}:tui-list:{art.id}")
                k = rng.randint(0, 6)
                if k:
                    spans.extend(spans_for(seed, art, annotator, k))
                    status: Status = "done" if rng.random() < 1 / 3 else "in_progress"
                    statuses.append(StatusRecord(art.id, annotator, status, _stamp(200 * 86400)))
            counts["articles"] += len(batch)
            counts["spans"] += insert_spans(store, spans)
        insert_statuses(store, statuses)
        counts["statuses"] = len(statuses)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return counts


def big_article(seed: int, chars: int) -> Article:
    """One long report whose plain text has about ``chars`` characters."""
    i = BIG_ARTICLE_INDEX
    # The generator's target counts markdown; the plain text comes out a little longer.
    return read_markdown(Path(f"{article_id(i)}.md"), markdown_article(seed, i, int(chars * 0.975)))


def build_reader_database(path: Path, seed: int, chars: int, n_spans: int,
                          annotator: str = TUI_ANNOTATOR, others: int = 10) -> Article:
    """A store holding one long report with ``n_spans`` spans of ``annotator``.

    Plus the first ``others`` short reports, so the list is not empty.  Returns the
    long report.
    """
    art = big_article(seed, chars)
    store = Store.open(path)
    try:
        store.import_articles([art, *short_articles(seed, others)])
        insert_spans(store, spans_for(seed, art, annotator, n_spans))
        insert_statuses(store, [StatusRecord(art.id, annotator, "in_progress",
                                             _stamp(200 * 86400))])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return art
