"""Read one guide file safely: bounded in size, regular files only, UTF-8, shallow front matter.

A guide folder is edited by a support team, and anything may land in it: a huge export, a file
in another encoding, a named pipe, a folder called ``x.md``, a symbolic link that points at
itself, or TOML nested a thousand levels deep (``tomllib`` recurses and raises RecursionError).
None of these may stop LinkDesk from starting or ``guides check`` from finishing: each becomes a
GuideError with the file and line, and the other files still load (deep nesting is caught as
tomllib's RecursionError, bounded by the recursion limit). The limits also bound the work
done before the first window appears: at most MAX_GUIDE_BYTES per file and MAX_FOLDER_BYTES per
folder are read and parsed (about 45 ms of ``tomllib`` per 256 KiB on the project's machine).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from desktop.core.guides.model import GuideError

# The largest built-in guide is about 7 KB; 256 KiB leaves room for any real guide.
MAX_GUIDE_BYTES = 256 * 1024
# What one folder may hold in total before the rest of its files are skipped (and reported).
MAX_FOLDER_BYTES = 4 * 1024 * 1024
# Guides use arrays of text and [[tables]]; nothing real nests deeper than three levels.
MAX_NESTING = 16


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_guide_text(path: Path, limit: int = MAX_GUIDE_BYTES) -> str | GuideError:
    """The file's text, or a GuideError saying why it is not read (never raises OSError).

    Refuses anything but a regular file (checked before opening, so a FIFO never blocks), files
    over ``limit`` bytes (read no further than ``limit + 1`` bytes), and text that is not UTF-8
    (with the line of the first bad byte).
    """
    try:
        info = path.stat()
    except OSError as exc:
        return GuideError(path, 1, f"cannot read the file: {_os_reason(exc)}")
    if not stat.S_ISREG(info.st_mode):
        return GuideError(path, 1, f"skipped: {_kind_of(info.st_mode)}, not a guide file")
    if info.st_size > limit:
        return _too_big(path, info.st_size, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as stream:
            # The file may have been swapped for something else since stat(): check what is open.
            opened = os.fstat(stream.fileno())
            if not stat.S_ISREG(opened.st_mode):
                return GuideError(path, 1, f"skipped: {_kind_of(opened.st_mode)}")
            raw = stream.read(limit + 1)
    except OSError as exc:
        return GuideError(path, 1, f"cannot read the file: {_os_reason(exc)}")
    if len(raw) > limit:
        return _too_big(path, len(raw), limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        message = f"not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8"
        return GuideError(path, line, message)


def _too_big(path: Path, size: int, limit: int) -> GuideError:
    # size is limit + 1 when the file grew after stat(): all we know is that it is too big.
    shown = f"over {_size_text(limit)}" if size == limit + 1 else _size_text(size)
    message = f"skipped: the file is {shown}; a guide may be at most {_size_text(limit)}"
    return GuideError(path, 1, message)


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# What matters to nesting, for a scan done by the regex engine rather than character by character:
# multi-line and one-line strings and comments (skipped whole), brackets, braces and line ends.
_NESTING_TOKENS = re.compile(
    r'''"""[\s\S]*?"""|''\'[\s\S]*?''\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?|'[^'\n]*'?|#[^\n]*|[\[\]{}\n]'''
)


def nesting_error(front: str, max_depth: int = MAX_NESTING) -> tuple[int, str] | None:
    """(line, message) when TOML arrays or inline tables nest deeper than ``max_depth``, else None.

    One pass of a regular expression that skips strings and comments; run when ``tomllib`` gave
    up with a RecursionError, to say on which line. Lines are 1-based within ``front``.
    """
    depth = 0
    line = 1
    for match in _NESTING_TOKENS.finditer(front):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return line, f"arrays or tables nest more than {max_depth} levels deep"
        elif token in "]}":
            depth = max(0, depth - 1)
        else:
            line += token.count("\n")
    return None
