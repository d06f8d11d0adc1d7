"""One module per benchmark case; importing this package registers them all.

Modules are imported in name order.  A module registers its case with
:func:`benchmarks.framework.register`; ``pending.py`` registers placeholders
for cases nobody has written yet, which a real module of the same case name
replaces.
"""

from __future__ import annotations

import importlib
import pkgutil

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_mod}")
