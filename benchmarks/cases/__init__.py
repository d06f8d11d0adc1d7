"""One module per benchmark case; importing this package registers them all.

Modules are imported in name order.  A module registers its case with
:func:`benchmarks.framework.register`.  A case registered with ``run=None`` is
a placeholder, listed as pending, which a real module of the same case name
replaces (every case of the issue is written now, so there is none).  The TUI
cases (``first_paint``, ``key_press``, ``memory``) drive the annotator in child
processes: see :mod:`benchmarks.tui_runs` and :mod:`benchmarks.tui_probe`; ``serve``
drives it in a browser tab and in a pseudo-terminal (:mod:`benchmarks.serve_runs`).
"""

from __future__ import annotations

import importlib
import pkgutil

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_mod}")
