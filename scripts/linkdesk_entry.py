"""Entry point for the frozen build (PyInstaller needs a script, not a module)."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
