"""The parsed guide library, kept between starts in LinkDesk's cache folder.

Parsing the guides (TOML front matter above all) took about 15 ms of CPU at every start, before the
first frame; reading the parsed library back takes about 2 ms. The cache is used only when it was
written for exactly the same guide files, the same guide code and the same LinkDesk and Python (the
fingerprint: paths, sizes and modification times); else the guides are parsed and the cache
written again. Anything wrong with it (missing, partial, foreign) just means a parse.

The file is ``marshal`` data (built in: no import, unlike pickle, which cost more memory than the
parse), holding plain values only: the guide model's dataclasses are written as their class name
and their fields, and only the model's own classes are made from it. It is read only when it
belongs to this user and nobody else may write to it.
"""

from __future__ import annotations

import dataclasses
import logging
import marshal
import os
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from desktop import __version__
from desktop.core.guides import GuideLibrary, load_library, model

log = logging.getLogger(__name__)
FILE_NAME = "guide-library.marshal"
FORMAT = 1  # raise when the encoding below changes
_CODE = Path(model.__file__).resolve().parent  # the guide parser and model
_CLASSES = {
    cls.__name__: cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def _fingerprint(folders: Iterable[Path | None]) -> tuple[Any, ...]:
    """What the parsed library depends on: every file under the folders, and the versions."""
    entries: list[tuple[Any, ...]] = []
    for folder in folders:
        if folder is None or not folder.is_dir():
            entries.append((str(folder),))
            continue
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                entries.append((os.path.join(root, name), stat.st_size, stat.st_mtime_ns))
    return (FORMAT, __version__, sys.version, tuple(entries))


def _encode(value: Any) -> Any:
    """Plain values for marshal; TypeError for anything the guide model should not hold."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple):
        return ("T", tuple(_encode(v) for v in value))
    if isinstance(value, list):
        return ("L", tuple(_encode(v) for v in value))
    if isinstance(value, dict):
        return ("M", tuple((_encode(k), _encode(v)) for k, v in value.items()))
    if isinstance(value, Path):
        return ("P", str(value))
    if isinstance(value, date):
        return ("d", value.isoformat())
    name = type(value).__name__
    if _CLASSES.get(name) is type(value):
        fields = dataclasses.fields(value)
        if not all(f.init for f in fields):
            raise TypeError(f"{name} has fields its constructor does not take")
        return ("D", name, tuple(_encode(getattr(value, f.name)) for f in fields))
    raise TypeError(f"a {name} in the guide library")


def _decode(value: Any) -> Any:
    if not isinstance(value, tuple):
        return value
    tag = value[0]
    if tag == "T":
        return tuple(_decode(v) for v in value[1])
    if tag == "L":
        return [_decode(v) for v in value[1]]
    if tag == "M":
        return {_decode(k): _decode(v) for k, v in value[1]}
    if tag == "P":
        return Path(value[1])
    if tag == "d":
        return date.fromisoformat(value[1])
    if tag == "D":
        return _CLASSES[value[1]](*(_decode(v) for v in value[2]))
    raise ValueError(f"unknown tag {tag!r}")


def _trusted(path: Path) -> bool:
    """This user's file, which nobody else may write (no check where there is no uid)."""
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
            saved_key, parts = marshal.loads(path.read_bytes())
            if saved_key == key:
                guides, errors, checklist, questions, problems = _decode(parts)
                return GuideLibrary(guides, errors, checklist, questions, problems)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a partial or foreign file: it is only a cache
        log.info("Guide cache %s not used: %r", path, exc)
    library = load_library(builtin, team)
    try:
        parts = (
            list(library.guides),
            library.errors,
            library.checklist,
            library.questions,
            library.common_problems,
        )
        data = marshal.dumps((key, _encode(parts)))
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{FILE_NAME}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)  # whole or not at all, even with two LinkDesks starting
    except (OSError, TypeError, ValueError) as exc:
        log.info("Guide cache %s not written: %s", path, exc)
    return library
