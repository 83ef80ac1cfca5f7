"""Entry point of the windowed executable in the frozen build: the desktop app, no console window.

The console executable (linkdesk_entry.py) keeps the command line; a desktop entry or a Start menu
shortcut starts this one, so Windows and macOS open no terminal beside the window.
"""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main(["gui", *sys.argv[1:]]))
