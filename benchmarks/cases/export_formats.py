"""export brat / conll / spacy: the token and standoff formats over the scale corpus.

The corpus is :mod:`benchmarks.scale`'s (100,000 reports, 1,000,000 spans of
three annotators at ``--size scale``; a prefix of it at the smaller sizes).

* brat: ``Store.export_docs`` + ``FORMATS["brat"].write`` into a new folder
  (``<id>.txt`` + ``<id>.ann`` per article, ``annotation.conf``).  Baseline:
  bare ``SELECT``s of the same articles and live spans, in the same order,
  written as the same files with plain string formatting (a span crossing a
  line break split at it, as brat needs), no checks.
* conll: ``export_docs`` + ``FORMATS["conll"].write`` to a file.  Baseline:
  the same rows from bare ``SELECT``s, the same tokens (``\\w+|[^\\w\\s]``) and
  the same sentence ends (``conll.sentence_ends``: the product's sentence model,
  which both sides pay for), the same longest-span-wins rule, one line per
  token written with plain string formatting.

Both baselines must write the same bytes as ours: the first run of each side
is compared (the case fails otherwise), so the baselines are the same output
written the plain way.

* spacy: peak RSS of a child process that exports the whole corpus (``python -m
  benchmarks.export_probe``: ``export_docs`` + ``FORMATS["spacy"].write``),
  against the same child stopped after ``baseline_articles`` reports; the goal
  is under 500 MB whatever the corpus size.  The child also reports its time
  and how many documents it wrote (JSON ``info``).
"""

from __future__ import annotations

import hashlib
import statistics
from bisect import bisect_left
from pathlib import Path
from typing import Any

from annotations.formats import FORMATS, ExportOptions, Output
from annotations.formats import conll as conll_format
from annotations.formats.brat import OVERLAP_LINE
from annotations.store import Store
from annotations.tokens import TOKEN_RE
from benchmarks.data import bare_connect
from benchmarks.framework import Case, Measurement, RunContext, Target, register
from benchmarks.tui_runs import probe_module

_SPANS = ('SELECT article_id, id, annotator, label, start, "end", text, note FROM spans '
          "WHERE deleted_at IS NULL AND anchor != 'orphaned' "
          'ORDER BY article_id, start, "end", label, annotator, id')
MIB = 2**20


def _docs(conn: Any) -> Any:
    """(id, text, spans) per article in id order, from two bare ordered queries."""
    spans = conn.cursor().execute(_SPANS)
    pending = spans.fetchone()
    for aid, text in conn.execute("SELECT id, text FROM articles ORDER BY id"):
        rows = []
        while pending is not None and pending[0] == aid:
            rows.append(pending)
            pending = spans.fetchone()
        yield aid, text, rows


# --------------------------------------------------------------------- brat
def brat_baseline(conn: Any, out: Path) -> int:
    out.mkdir()
    n = 0
    labels: set[str] = set()
    for aid, text, rows in _docs(conn):
        lines = []
        for k, (_a, _sid, who, label, start, end, quote, note) in enumerate(rows, start=1):
            if "\n" in quote:
                frags = []
                pos = start
                for piece in quote.split("\n"):
                    if piece:
                        frags.append((pos, pos + len(piece)))
                    pos += len(piece) + 1
                offsets = ";".join(f"{s} {e}" for s, e in frags)
                quote = " ".join(text[s:e] for s, e in frags)
            else:
                offsets = f"{start} {end}"
            labels.add(label)
            lines.append(f"T{k}\t{label} {offsets}\t{quote}\n#{k}\tAnnotatorNotes T{k}\t"
                         f"annotator={who}" + (f"; note={note}\n" if note else "\n"))
            n += 1
        (out / f"{aid}.txt").write_text(text, encoding="utf-8")
        (out / f"{aid}.ann").write_text("".join(lines), encoding="utf-8")
    body = ["[entities]", *sorted(labels), "", "[relations]", OVERLAP_LINE, "", "[events]", "",
            "[attributes]", ""]
    (out / "annotation.conf").write_text("\n".join(body), encoding="utf-8")
    return n


def folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# -------------------------------------------------------------------- conll
def conll_baseline(conn: Any, out: Path) -> int:
    statuses: dict[str, set[str]] = {}
    for aid, who in conn.execute("SELECT article_id, annotator FROM statuses"):
        statuses.setdefault(aid, set()).add(who)
    n = 0
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        for aid, text, rows in _docs(conn):
            toks = [m.span() for m in TOKEN_RE.finditer(text)]
            starts = [s for s, _ in toks]
            ends = conll_format.sentence_ends(text, toks)
            names = sorted({r[2] for r in rows} | statuses.get(aid, set()))
            for name in names:
                cands = []
                for _a, sid, who, label, start, end, _q, _n in rows:
                    if who != name:
                        continue
                    first = bisect_left(starts, start)
                    if first > 0 and toks[first - 1][1] > start:
                        first -= 1
                    last = bisect_left(starts, end) - 1
                    cands.append((-(end - start), start, end, label, sid, first, last))
                cands.sort()
                tags = ["O"] * len(toks)
                taken = bytearray(len(toks))
                joined: set[int] = set()
                for _len, _s, _e, label, _sid, first, last in cands:
                    if any(taken[first : last + 1]):
                        continue
                    taken[first : last + 1] = b"\x01" * (last - first + 1)
                    tags[first] = "B-" + label
                    for k in range(first + 1, last + 1):
                        tags[k] = "I-" + label
                    joined.update(range(first, last))
                    n += 1
                lines = [f"-DOCSTART- article={aid} annotator={name} O", ""]
                for i, (s, e) in enumerate(toks):
                    lines.append(f"{text[s:e]} {tags[i]}")
                    if i in ends and i not in joined:
                        lines.append("")
                fh.write("\n".join(lines) + "\n")
    return n


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------- run
def run(ctx: RunContext) -> list[Measurement]:
    from benchmarks.cases.search import corpus

    found = corpus(ctx)
    db = found.path
    out = ctx.workdir / "out"
    written: dict[str, Any] = {}

    def remove_out() -> None:
        if out.is_dir():
            for p in out.iterdir():
                p.unlink()
            out.rmdir()
        else:
            out.unlink(missing_ok=True)

    def close(handle: Any) -> None:
        handle.close()
        remove_out()

    def ours(fmt: str) -> Any:
        def export(store: Store) -> None:
            spec = FORMATS[fmt]
            docs = store.export_docs()
            if spec.folder:
                rep = spec.write(docs, Output(directory=out), ExportOptions())
            else:
                with open(out, "wb") as fh:
                    rep = spec.write(docs, Output(stream=fh), ExportOptions())
            if "ours" not in written.setdefault(fmt, {}):
                written[fmt]["ours"] = (rep.spans, digest(fmt))
        return export

    def base(fmt: str) -> Any:
        def export(conn: Any) -> None:
            n = brat_baseline(conn, out) if fmt == "brat" else conll_baseline(conn, out)
            if "baseline" not in written.setdefault(fmt, {}):
                written[fmt]["baseline"] = (n, digest(fmt))
        return export

    def digest(fmt: str) -> str:
        return folder_digest(out) if fmt == "brat" else file_digest(out)

    rows = []
    for fmt in ("brat", "conll"):
        o, b = ctx.compare(ours(fmt), base(fmt),
                           setup_ours=lambda: Store.open(db, create=False),
                           setup_baseline=lambda: bare_connect(db), teardown=close,
                           label=f"export {fmt}")
        if written[fmt]["ours"] != written[fmt]["baseline"]:
            raise RuntimeError(f"export {fmt}: ours wrote {written[fmt]['ours']}, the baseline "
                               f"{written[fmt]['baseline']} (spans, digest)")
        rows.append(Measurement(f"export {fmt}", o, b, info={
            "articles": found.info["articles"], "spans_written": written[fmt]["ours"][0],
            "same_bytes": True, "corpus": found.info}))
    rows.append(spacy_memory(ctx, db, found.info))
    return rows


def spacy_memory(ctx: RunContext, db: Path, info: dict[str, Any]) -> Measurement:
    out = ctx.workdir / "spacy"
    few = ctx.params["baseline_articles"]
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for i in range(ctx.repeat):
        order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
        for side in order:
            args = ["--db", str(db), "--format", "spacy", "-o", str(out)]
            if side == "baseline":
                args += ["--limit", str(few)]
            r = probe_module("benchmarks.export_probe", args, timeout=7200)
            runs[side].append(r)
            ctx.log(f"  export spacy {side} #{i + 1}: peak {r['peak_rss'] / MIB:.0f} MiB, "
                    f"{r['seconds']:.1f} s, {r['docs']} docs")
            _remove(out)
    ours = [float(r["peak_rss"]) for r in runs["ours"]]
    base = [float(r["peak_rss"]) for r in runs["baseline"]]
    return Measurement("export spacy (peak RSS)", ours, base, unit="bytes",
                       target=Target(1.0, under=500 * MIB, unit="bytes"), info={
                           "articles": info["articles"], "baseline_articles": few,
                           "seconds": {"ours": statistics.median(r["seconds"] for r in runs["ours"]),
                                       "baseline": statistics.median(
                                           r["seconds"] for r in runs["baseline"])},
                           "docs": runs["ours"][0]["docs"], "files": runs["ours"][0]["files"],
                           "spans": runs["ours"][0]["spans"]})


def _remove(path: Path) -> None:
    if path.is_dir():
        for p in sorted(path.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


register(Case(
    name="export_formats",
    title="export brat / conll / spacy",
    order=22,
    measured="export of every live span of the scale corpus as brat (folder), conll (file) "
    "and spacy (folder of shards: peak RSS)",
    baseline="brat, conll: bare SELECTs written as the same bytes with plain string "
    "formatting; spacy: the same export stopped after a few reports",
    target=Target(1.5),
    rows=("export brat", "export conll", "export spacy (peak RSS)"),
    sizes={
        "tiny": {"articles": 30, "baseline_articles": 5},
        "quick": {"articles": 2_000, "baseline_articles": 200},
        "full": {"articles": 10_000, "baseline_articles": 1_000},
        "scale": {"articles": 100_000, "baseline_articles": 1_000},
    },
    run=run,
))
