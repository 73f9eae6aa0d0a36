"""Isotretinoin intake & consent: start the desktop app, or run a headless command (see --help)."""

import sys

from intake.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
