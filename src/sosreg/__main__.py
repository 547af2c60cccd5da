"""``python -m sosreg`` runs the command line."""

from sosreg.cli import main

raise SystemExit(main())
