"""Export formats: one module per format, all behind one registry.

The CLI looks a format up in :data:`FORMATS`, asks the store for deleted
spans when ``spec.wants_deleted`` (only the native ``jsonl`` pack, which
:mod:`~annotations.formats.pack` also reads back), and calls
``spec.write(docs, Output(stream=... | directory=...), ExportOptions())``.
``docs`` is an iterable of :class:`~annotations.model.ExportDoc`, ideally in
article-id order; writers take one doc at a time (spacy holds one shard of
documents, xlsx its workbook until the end), sort each doc's spans by (article id, start, end,
label, annotator, span id) themselves, and produce the same bytes for the
same input.  Text is UTF-8 with ``\\n`` line ends.

Offsets are Python ``str`` indices (code points) everywhere in stancemark;
each format writes them in the unit its consumer counts in, listed in
:data:`OFFSET_UNITS` (details and sources in each module's docstring).

Formats that hold one labelling per text (conll, spacy, doccano, prodigy)
write one record per article and annotator, naming the annotator in the
record; the annotators of an article are the authors of its spans plus
anyone with a status on it (so "looked, found nothing" is exported too).

Relations (``ExportDoc.relations``, those whose two spans the store handed
over) travel in jsonl, brat, labelstudio, doccano, w3c and csv (its second
file); a relation whose span a format leaves out is left out with it and
counted.  conll, spacy, prodigy and xlsx have no place for relations and say
how many they left out (:class:`~annotations.formats.base.RelationsLeftOut`).
"""

from __future__ import annotations

from annotations.formats import (
    brat,
    conll,
    csv_rows,
    doccano,
    labelstudio,
    pack,
    prodigy,
    spacy_docbin,
    w3c,
    xlsx,
)
from annotations.formats.base import (
    ExportOptions,
    ExportReport,
    FormatSpec,
    FormatUnavailable,
    Output,
    Utf16Index,
    safe_filename,
    utf16_offset,
)
from annotations.tokens import tokenize as tokens

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "OFFSET_UNITS",
    "ExportOptions",
    "ExportReport",
    "FormatSpec",
    "FormatUnavailable",
    "Output",
    "Utf16Index",
    "safe_filename",
    "tokens",
    "utf16_offset",
]

CODE_POINTS = "code points"
UTF16 = "UTF-16 code units"
TOKENS = "tokens"

#: What each format's consumer counts offsets in, and why we believe it.
OFFSET_UNITS: dict[str, str] = {
    "jsonl": "code points: the native pack, read back by stancemark itself (Python str "
    "indices) and by datasets.load_dataset('json').",
    "csv": "code points: read by Python's csv module and pandas, whose str indices are code "
    "points (spreadsheet MID/LEN count UTF-16 units: use the text column there).",
    "xlsx": "code points, as csv: openpyxl and pandas read the cells as Python str (Excel's "
    "MID/LEN count UTF-16 units: use the text column there).",
    "prodigy": "code points: Prodigy is Python and its start/end are spaCy token.idx values, "
    "i.e. str indices; token_start/token_end are token indices, token_end inclusive.",
    "doccano": "UTF-16 code units: doccano's browser annotator (v-annotator) computes offsets "
    "with JavaScript string indices and the backend stores them as given (doccano issue "
    "#2290, PR #99); projects in 'count grapheme clusters' mode are not supported.",
    "labelstudio": "code points: Label Studio converts browser offsets to code points since "
    "label-studio-frontend PR #308 / label-studio PR #1559 (fixing issues #1008, #1347); its "
    "e2e test ner/emoji.cy.ts expects start 21 for 'test' in '🐱 Warning: This is a test "
    "text' (UTF-16 would give 22).",
    "brat": "code points: brat's Python server slices the .txt as a unicode string to check "
    "each T line (server/src/annotation.py); its JS client mis-draws after astral "
    "characters (nlplab/brat#1115) but the files are right.",
    "conll": "tokens: no offsets are written; tokens are the matches of \\w+|[^\\w\\s] "
    "(code-point based if rebuilt).",
    "spacy": "code points: Doc.char_span and Span.start_char/end_char are str indices; the "
    "DocBin itself stores token indices of spaCy's own tokenizer.",
    "w3c": "code points: the Web Annotation Data Model says TextPositionSelector positions "
    "'MUST be in terms of unicode code points ... not in terms of code units'.",
}

#: Suggested file suffix per format (empty for folder formats).
EXTENSIONS: dict[str, str] = {
    "jsonl": ".jsonl",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "prodigy": ".jsonl",
    "doccano": ".jsonl",
    "labelstudio": ".json",
    "brat": "",
    "conll": ".conll",
    "spacy": "",
    "w3c": ".jsonld",
}

FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            name="jsonl",
            folder=False,
            binary=False,
            one_per_annotator=False,
            description="the native pack: lossless (tombstones, orphans, statuses), for merge",
            offset_unit=CODE_POINTS,
            write=pack.write,
            wants_deleted=True,
            keeps_orphaned=True,
        ),
        FormatSpec(
            name="csv",
            folder=False,
            binary=False,
            one_per_annotator=False,
            description="one row per span, exact text, for pandas and data tools, and "
            "relations.csv beside it (--excel-safe: formula-guarded for spreadsheets)",
            offset_unit=CODE_POINTS,
            write=csv_rows.write,
        ),
        FormatSpec(
            name="xlsx",
            folder=False,
            binary=True,
            one_per_annotator=False,
            description="the csv rows as an Excel workbook: every text cell a string cell, "
            "exact and never run as a formula",
            offset_unit=CODE_POINTS,
            write=xlsx.write,
        ),
        FormatSpec(
            name="prodigy",
            folder=False,
            binary=False,
            one_per_annotator=True,
            description="Prodigy JSONL tasks with tokens and token-aligned spans",
            offset_unit=CODE_POINTS,
            write=prodigy.write,
        ),
        FormatSpec(
            name="doccano",
            folder=False,
            binary=False,
            one_per_annotator=True,
            description="doccano JSONL: label triples (sequence labeling) and entities + "
            "relations (relation extraction)",
            offset_unit=UTF16,
            write=doccano.write,
        ),
        FormatSpec(
            name="labelstudio",
            folder=False,
            binary=False,
            one_per_annotator=False,
            description="Label Studio tasks JSON, one annotation per annotator",
            offset_unit=CODE_POINTS,
            write=labelstudio.write,
        ),
        FormatSpec(
            name="brat",
            folder=True,
            binary=False,
            one_per_annotator=False,
            description="brat standoff folder: <id>.txt + <id>.ann and annotation.conf",
            offset_unit=CODE_POINTS,
            write=brat.write,
        ),
        FormatSpec(
            name="conll",
            folder=False,
            binary=False,
            one_per_annotator=True,
            description="CoNLL IOB2, one token per line; overlapping spans resolved longest-first",
            offset_unit=TOKENS,
            write=conll.write,
        ),
        FormatSpec(
            name="spacy",
            folder=True,
            binary=True,
            one_per_annotator=True,
            description="spaCy DocBin shards (a folder spaCy reads as one corpus) with spans "
            "in doc.spans['sc']; needs stancemark[spacy]",
            offset_unit=CODE_POINTS,
            write=spacy_docbin.write,
        ),
        FormatSpec(
            name="w3c",
            folder=False,
            binary=False,
            one_per_annotator=False,
            description="W3C Web Annotation JSON-LD page, quote and position selectors",
            offset_unit=CODE_POINTS,
            write=w3c.write,
        ),
    )
}
