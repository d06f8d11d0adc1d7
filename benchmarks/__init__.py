"""stancemark benchmarks: measured figures against same-run baselines (not part of the tests).

Run ``make bench`` or ``python -m benchmarks`` (``--help`` for the options);
``BENCHMARKS.md`` holds the latest figures.  Layout:

* :mod:`benchmarks.framework` - the case registry, run context, timers;
* :mod:`benchmarks.data` - deterministic reports, spans, packs and databases;
* :mod:`benchmarks.cases` - one module per case (importing it registers it);
* :mod:`benchmarks.runner` - the command line, the table and the JSON file.
"""

from benchmarks.framework import Case, Measurement, RunContext, Target, register, registered

__all__ = ["Case", "Measurement", "RunContext", "Target", "register", "registered"]
