"""``python -m sosreg.cli`` runs the command line."""

from sosreg.cli.app import main

raise SystemExit(main())
