"""PySide6 widgets. Widgets show and collect; decisions live in desktop.core."""
