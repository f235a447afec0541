"""``python -m guidekit.benchmarks``: what scripts/bench runs."""

from guidekit.benchmarks.cli import main

raise SystemExit(main())
