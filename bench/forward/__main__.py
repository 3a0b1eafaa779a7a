"""`python -m bench.forward`: see bench/forward/run.py."""

from bench.forward.run import main

raise SystemExit(main())
