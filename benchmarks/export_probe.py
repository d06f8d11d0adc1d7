"""The child process of the spacy export measure: one export, its time and peak RSS as JSON.

``python -m benchmarks.export_probe --db DB --format spacy -o OUT [--limit N]``
runs what ``stancemark export --format spacy -o OUT`` runs (``Store.export_docs``
then the format's writer), stopped after ``N`` reports when given, and prints
one JSON line: seconds, peak RSS (``VmHWM``, see :func:`benchmarks.tui_probe.peak_rss`),
documents, spans and files written.  A child of its own, so that the figure is
the export's and not the benchmark runner's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Iterable
from pathlib import Path

from annotations.formats import FORMATS, ExportOptions, Output
from annotations.model import ExportDoc
from annotations.store import Store
from benchmarks.tui_probe import peak_rss


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.export_probe")
    p.add_argument("--db", required=True)
    p.add_argument("--format", required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--limit", type=int, default=0)
    args = p.parse_args(argv)
    spec = FORMATS[args.format]
    out = Path(args.output)
    before = peak_rss()
    t0 = time.perf_counter()
    store = Store.open(args.db, create=False)
    try:
        docs: Iterable[ExportDoc] = store.export_docs()
        if args.limit:
            docs = itertools.islice(docs, args.limit)
        if spec.folder:
            out.mkdir(parents=True, exist_ok=True)
            report = spec.write(docs, Output(directory=out), ExportOptions())
        else:
            with open(out, "wb") as fh:
                report = spec.write(docs, Output(stream=fh), ExportOptions())
    finally:
        store.close()
    seconds = time.perf_counter() - t0
    files = sorted(p for p in out.rglob("*") if p.is_file()) if out.is_dir() else [out]
    print(json.dumps({
        "seconds": seconds, "peak_rss": peak_rss(), "peak_rss_before": before,
        "articles": report.articles, "spans": report.spans,
        "docs": report.articles if not spec.one_per_annotator else getattr(report, "docs", None),
        "files": len(files), "bytes": sum(p.stat().st_size for p in files),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
