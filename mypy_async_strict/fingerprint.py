"""What the plugin adds to mypy's cache fingerprint of every module.

mypy fingerprints only a plugin's entry module: a change to any other module of the plugin
must invalidate the cache too.  The digest covers each source file's name, size and
modification time (a content hash costs more than the rest of a warm run's plugin start-up,
and a reinstall of the same sources only costs one full check).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from mypy_async_strict import __version__


def source_digest() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(_sources(str(package))):
        stat = os.stat(source)
        digest.update(f"{os.path.relpath(source, package)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def config_data(source: str) -> dict[str, str]:
    return {"version": __version__, "source": source}


def _sources(folder: str) -> list[str]:
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir() and entry.name != "__pycache__":
            found += _sources(entry.path)
        elif entry.name.endswith((".py", ".pyi")):
            found.append(entry.path)
    return found
