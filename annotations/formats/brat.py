"""``brat``: a folder of ``<id>.txt`` + ``<id>.ann`` standoff files.

One ``.ann`` per article holds every exported annotator's spans::

    T1<TAB>claim 15 33<TAB>王秀英 denied the claim
    #1<TAB>AnnotatorNotes T1<TAB>annotator=alice; note=check the source
    R1<TAB>rebuts Arg1:T2 Arg2:T1

Offset unit: Unicode code points.  brat's server is Python; it reads the
``.txt`` as a unicode string and checks every ``T`` line by slicing it
(``annotation.py``: ``self._document_text[start:end]``), so offsets are
``str`` indices.  (brat's browser client has a known display bug after
astral characters, nlplab/brat#1115; the files themselves are right.)

brat rules we follow, all checked by its parser:

* the quote after the second tab must equal the ``.txt`` slice, and a line
  cannot hold a line break -- so a span crossing a line break is written as
  a discontinuous annotation ``start1 end1;start2 end2`` whose fragments
  leave the line breaks out, and whose quote is the fragments joined by one
  space (brat's ``DISCONT_SEP``);
* brat opens the ``.txt`` with universal newlines, so ``\\r\\n`` and ``\\r``
  are written as ``\\n`` and offsets are shifted to match (reported);
* types cannot contain spaces: whitespace in a label becomes ``_``.

The annotator: brat attributes (``A1<TAB>Annotator T1 alice``) cannot hold
values with spaces and need every name declared in ``annotation.conf``, so
each ``T`` gets one ``AnnotatorNotes`` line ``annotator=NAME`` followed by
``; note=TEXT`` when the span has a note (line breaks and tabs in either
become spaces).  Relations whose two spans are both exported become ``R``
lines (``R1<TAB>rebuts Arg1:T2 Arg2:T1``: ``Arg1`` the span the link starts
on, ``Arg2`` the one it points at, numbered per file in export order).  An
``annotation.conf`` declaring the labels and relations seen is written
last, so brat shows the collection without configuration errors: each
relation type is declared with the entity types its exported links actually
join (``rebuts<TAB>Arg1:denial, Arg2:claim``), which brat's verifier checks
every ``R`` line against.

Overlaps: one ``.ann`` holds every annotator, so identical, nested and
crossing spans are routine, and brat refuses all three unless the
configuration allows them (``verify_annotations.py``: "claim cannot have
identical span with claim").  The conf allows every overlap between any two
entity types the way brat documents it, with its special ``<OVERLAP>``
relation in ``[relations]``::

    <OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

(``projectconfig.py``: ``<OVL-TYPE>`` takes ``contain``, ``equal``,
``cross`` or ``<ANY>`` for all three.)

File names come from :func:`safe_filename`; every file is written by
:class:`~annotations.formats.base.FolderWriter`, never through a link planted
in the output folder (refused and reported).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    FolderWriter,
    Output,
    count_relations_left_out,
    live_relations,
    safe_filename,
    valid_spans,
)
from annotations.model import ExportDoc

#: Every character Python's ``str.splitlines`` breaks on (brat's old codecs reader).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_FRAGMENT = re.compile(f"[^{LINE_BREAKS}]+")
_BREAKS = re.compile(f"[{LINE_BREAKS}\t]")
DISCONT_SEP = " "
#: Lets spans of any two entity types be identical, nested or crossing (see the module).
OVERLAP_LINE = "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>"


def brat_type(label: str) -> str:
    return re.sub(r"\s+", "_", label.strip()) or "_"


def one_line(value: str) -> str:
    return _BREAKS.sub(" ", value)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The pieces of ``text[start:end]`` between line breaks, as absolute offsets."""
    return [(start + m.start(), start + m.end()) for m in _FRAGMENT.finditer(text[start:end])]


def _normalise_newlines(text: str) -> tuple[str, list[int]]:
    """``text`` with ``\\r\\n``/``\\r`` as ``\\n`` and the sorted indices of dropped ``\\r``s."""
    dropped = [m.start() for m in re.finditer("\r\n", text)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), dropped


def write(docs: Iterable[ExportDoc], out: Output, options: ExportOptions) -> ExportReport:
    directory = out.require_directory("brat")
    directory.mkdir(parents=True, exist_ok=True)
    with FolderWriter(directory) as folder:
        return _write(docs, folder)


def _write(docs: Iterable[ExportDoc], folder: FolderWriter) -> ExportReport:
    report = ExportReport()
    taken: set[str] = set()
    labels: set[str] = set()
    #: relation type -> (entity types its links start on, entity types they end on)
    relation_labels: dict[str, tuple[set[str], set[str]]] = {}
    normalised = 0
    for doc in docs:
        art = doc.article
        stem = safe_filename(art.id, taken)
        txt_name, ann_name = stem + ".txt", stem + ".ann"
        try:
            folder.check(txt_name)
            folder.check(ann_name)
        except ValueError as exc:
            report.skipped += len(doc.spans)
            report.messages.append(f"brat: article {art.id!r} skipped: {exc}")
            count_relations_left_out(report, doc, 0)
            continue
        report.articles += 1
        spans = valid_spans(doc, report, "brat")
        text, dropped = _normalise_newlines(art.text)
        normalised += bool(dropped)

        def shift(i: int, dropped: list[int] = dropped) -> int:
            return i - bisect.bisect_left(dropped, i)

        lines: list[str] = []
        tids: dict[str, str] = {}
        kinds: dict[str, str] = {}
        note_no = 0
        for span in spans:
            frags = fragments(text, shift(span.start), shift(span.end))
            if not frags:
                report.skipped += 1
                report.messages.append(
                    f"brat: span {span.id} in {art.id!r} skipped: it holds only line breaks"
                )
                continue
            tid = f"T{len(tids) + 1}"
            tids[span.id] = tid
            kind = kinds[span.id] = brat_type(span.label)
            labels.add(kind)
            offsets = ";".join(f"{s} {e}" for s, e in frags)
            quote = DISCONT_SEP.join(text[s:e] for s, e in frags)
            lines.append(f"{tid}\t{kind} {offsets}\t{quote}")
            note = f"annotator={one_line(span.annotator)}"
            if span.note:
                note += f"; note={one_line(span.note)}"
            note_no += 1
            lines.append(f"#{note_no}\tAnnotatorNotes {tid}\t{note}")
            report.spans += 1
        rels = [r for r in live_relations(doc, spans) if r.from_span in tids and r.to_span in tids]
        for n, rel in enumerate(rels, start=1):
            kind = brat_type(rel.label)
            starts, ends = relation_labels.setdefault(kind, (set(), set()))
            starts.add(kinds[rel.from_span])
            ends.add(kinds[rel.to_span])
            lines.append(f"R{n}\t{kind} Arg1:{tids[rel.from_span]} Arg2:{tids[rel.to_span]}")
        count_relations_left_out(report, doc, len(rels))
        try:
            folder.write(txt_name, text.encode("utf-8"))
            folder.write(ann_name, "".join(line + "\n" for line in lines).encode("utf-8"))
        except ValueError as exc:  # a link planted while we wrote
            report.messages.append(f"brat: article {art.id!r}: {exc}")
    _write_conf(folder, labels, relation_labels, report)
    if normalised:
        report.messages.append(
            f"brat: {normalised} article(s) had \\r\\n line ends, written as \\n "
            "(brat reads text with universal newlines) with offsets shifted to match"
        )
    return report


def _write_conf(folder: FolderWriter, labels: set[str],
                rels: dict[str, tuple[set[str], set[str]]], report: ExportReport) -> None:
    rel_lines = [f"{r}\tArg1:{'|'.join(sorted(rels[r][0]))}, Arg2:{'|'.join(sorted(rels[r][1]))}"
                 for r in sorted(rels)]
    body = [
        "[entities]",
        *sorted(labels),
        "",
        "[relations]",
        OVERLAP_LINE,
        *rel_lines,
        "",
        "[events]",
        "",
        "[attributes]",
        "",
    ]
    try:
        folder.write("annotation.conf", "\n".join(body).encode("utf-8"))
    except ValueError as exc:
        report.messages.append(f"brat: annotation.conf not written: {exc}")
