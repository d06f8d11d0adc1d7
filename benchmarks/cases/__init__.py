"""One module per benchmark case; importing this package registers them all.

Each module registers its case with :func:`benchmarks.framework.register`; a
new case module is named in the import below (the smoke test checks that
every case of the table ran).  A case registered with ``run=None`` is a
placeholder, listed as pending, which a real module of the same case name
replaces (every case of the issue is written now, so there is none).  The TUI
cases (``first_paint``, ``key_press``, ``memory``, ``keys_per_tag``) drive the annotator in child
processes: see :mod:`benchmarks.tui_runs` and :mod:`benchmarks.tui_probe`; ``serve``
drives it in a browser tab and in a pseudo-terminal (:mod:`benchmarks.serve_runs`).
"""

from __future__ import annotations

from benchmarks.cases import (  # noqa: F401  (each registers its case)
    agreement,
    export,
    export_formats,
    filter_typing,
    first_paint,
    import_reports,
    key_press,
    keys_per_tag,
    list_filter,
    memory,
    merge,
    pack_import,
    reader_scale,
    search,
    serve,
    suggest,
    tag_span,
)
