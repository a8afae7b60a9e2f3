"""`python -m automl ...` is the same as the `automl` command."""

from automl.cli import main

raise SystemExit(main())
