"""Unpack a downloaded ``.tar.gz`` so that nothing can land outside the folder it goes to.

Every member is checked before anything is written: an absolute path, a path that climbs
out with ``..``, a link, or a special file (device, FIFO) makes the whole archive rejected.
Only the members the course asked for are unpacked, each exactly once, and on Pythons
that have it (3.12+, 3.11.4+, 3.10.12+) tarfile's own ``filter="data"`` is applied on top.
"""

from __future__ import annotations

import posixpath
import tarfile
import zlib
from collections.abc import Collection
from pathlib import Path

from ._cache import CorruptDataError


def _unsafe(member: tarfile.TarInfo) -> str:
    """Why ``member`` could write outside the destination (or be a trap), or "" if it is safe."""
    name = member.name
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name or ".." in posixpath.normpath(name).split("/"):
        return "a path that leaves the folder it is unpacked into"
    if member.issym() or member.islnk():
        return f"a link to {member.linkname!r}"
    if not (member.isfile() or member.isdir()):
        return "a special file (a device or a FIFO)"
    return ""


def extract_members(archive: Path, destination: Path, wanted: Collection[str], *, origin: str) -> None:
    """Unpack the regular files ``wanted`` (paths inside ``archive``) into ``destination``.

    Raises :class:`CorruptDataError`, naming the archive (downloaded from ``origin``) and the
    member, when a member is unsafe, when a wanted file is missing, twice there or not a
    regular file, or when the archive cannot be read.
    """

    def refuse(why: str) -> CorruptDataError:
        return CorruptDataError(
            f"The archive {archive.name} downloaded from {origin} {why}; nothing from it was "
            "kept. It is not the archive the course expects: try again later, or unpack a "
            "copy you trust into the data folder by hand."
        )

    try:
        with tarfile.open(archive, "r:gz") as tar:
            chosen: dict[str, tarfile.TarInfo] = {}
            for member in tar.getmembers():
                problem = _unsafe(member)
                if problem:
                    raise refuse(f"holds an unsafe member {member.name!r} ({problem})")
                name = posixpath.normpath(member.name)
                if name in wanted:
                    if not member.isfile():
                        raise refuse(f"holds {name} as something other than a regular file")
                    if name in chosen:
                        raise refuse(f"holds the member {name} twice")
                    chosen[name] = member
            missing = sorted(set(wanted) - set(chosen))
            if missing:
                raise refuse(f"does not contain {', '.join(missing)}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(destination, members=chosen.values(), filter="data")
            else:  # older Python: the checks above are the filter
                tar.extractall(destination, members=chosen.values())
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise refuse(f"could not be unpacked ({error})") from error
