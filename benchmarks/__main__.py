"""``python -m benchmarks [--full] [--seed N] [--repeat N] [--only a,b] [--size S] [--json PATH]``."""

from benchmarks.runner import main

raise SystemExit(main())
