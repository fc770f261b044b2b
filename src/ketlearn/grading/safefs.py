"""Reading what a student submitted without following anything the student controls.

A submission folder may hold symbolic links (to another student's notebook, the source
notebooks with hidden tests, the gradebook, ``/etc``). The trusted side opens every file with
``O_NOFOLLOW`` relative to a folder descriptor opened with ``O_NOFOLLOW | O_DIRECTORY``, so no
link is ever followed, and reports each link it skipped as tampering evidence.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["collect_files", "read_nofollow"]

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def read_nofollow(base: Path, rel: str, max_bytes: int) -> bytes | None:
    """Bytes of regular file ``base/rel`` opened without following links; ``None`` otherwise."""
    parts = Path(rel).parts
    if not parts or any(p in ("..", "/") for p in parts):
        return None
    fd = os.open(base, _DIR)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, _DIR, dir_fd=fd)
            os.close(fd)
            fd = nxt
        try:
            ffd = os.open(parts[-1], _FILE | os.O_NONBLOCK, dir_fd=fd)
        except OSError:
            return None
    except OSError:
        return None
    finally:
        os.close(fd)
    with os.fdopen(ffd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        return fh.read(max_bytes + 1)[:max_bytes]


def collect_files(bases: list[Path], max_bytes: int, keep) -> tuple[dict[str, bytes], list[str]]:
    """Regular files under each base (later bases win), never following links.

    ``keep(rel_path)`` selects files. Returns ``(files, links)`` where ``links`` lists the
    relative paths of symbolic links found (and skipped) in the folders.
    """
    files: dict[str, bytes] = {}
    links: list[str] = []
    for base in bases:
        if not base.is_dir() or base.is_symlink():
            continue
        for folder, dirs, names in os.walk(base, followlinks=False):
            here = Path(folder)
            for name in list(dirs):
                if (here / name).is_symlink():
                    links.append(str((here / name).relative_to(base)))
                    dirs.remove(name)
            for name in sorted(names):
                path = here / name
                rel = str(path.relative_to(base))
                if path.is_symlink():
                    links.append(rel)
                    continue
                if not keep(rel):
                    continue
                data = read_nofollow(base, rel, max_bytes)
                if data is not None:
                    files[rel] = data
    return files, sorted(set(links))
