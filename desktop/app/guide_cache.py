"""The parsed guide library, kept between starts in LinkDesk's cache folder.

Parsing the guides (TOML front matter, Markdown sections) took 15-20 ms of every start, before the
first frame; reading the parsed library back takes about 1 ms. The cache is used only when it was
written for exactly the same guide files, the same guide code and the same LinkDesk and Python
(the fingerprint: paths, sizes and modification times), else the guides are parsed and the cache
written again. Anything wrong with it (missing, partial, from another version) just means a parse.

The cache is a pickle: loading one can run code, so it is read only when it belongs to this user
and nobody else may write to it (the same rule ssh applies to its keys).
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

from desktop import __version__
from desktop.core.guides import GuideLibrary, load_library

log = logging.getLogger(__name__)
FILE_NAME = "guide-library.pickle"
_CODE = Path(__file__).resolve().parents[1] / "core" / "guides"  # the parser and the model


def _fingerprint(folders: Iterable[Path | None]) -> tuple[object, ...]:
    """What the parsed library depends on: every file under the folders, and the versions."""
    entries: list[tuple[str, int, int] | tuple[str, None]] = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            entries.append((str(folder), None))
            continue
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                entries.append((os.path.join(root, name), stat.st_size, stat.st_mtime_ns))
    return (__version__, sys.version, tuple(entries))


def _trusted(path: Path) -> bool:
    """The file is this user's and only this user may write to it (no check where there is no uid)."""
    if not hasattr(os, "getuid"):
        return True
    stat = path.stat()
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def load_library_cached(builtin: Path, team: Path | None, cache_dir: Path) -> GuideLibrary:
    """``load_library(builtin, team)``, read from ``cache_dir`` when the cache matches the files.

    Never raises for the cache's sake: an unreadable or unwritable cache means a parse.
    """
    key = _fingerprint((builtin, team, _CODE))
    path = cache_dir / FILE_NAME
    try:
        if _trusted(path):
            with path.open("rb") as file:
                saved_key, library = pickle.load(file)
            if saved_key == key and isinstance(library, GuideLibrary):
                return library
    except FileNotFoundError:
        pass
    except Exception as exc:  # a partial or foreign file: it is only a cache
        log.info("Guide cache %s not used: %r", path, exc)
    library = load_library(builtin, team)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        with partial.open("wb") as file:
            pickle.dump((key, library), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)  # whole or not at all, even with two LinkDesks starting
    except (OSError, pickle.PicklingError) as exc:
        log.info("Guide cache %s not written: %s", path, exc)
    return library
