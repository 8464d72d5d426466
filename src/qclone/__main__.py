"""``python -m qclone``: the qclone command line (see :mod:`qclone.cli`)."""

from __future__ import annotations

import sys

from qclone.cli import main

if __name__ == "__main__":
    sys.exit(main())
