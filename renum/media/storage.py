"""Where uploaded videos and renders are kept: one small interface, a local-disk implementation.

Files are known by generated names only (never the creator's filename), so a name cannot reach
outside the store. ffmpeg needs a path on disk: :meth:`MediaStorage.local_path` gives one. An
object store would implement the same methods, downloading to a scratch file for ``local_path``.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterable
from pathlib import Path
from typing import BinaryIO, Protocol

import structlog

__all__ = ["LocalStorage", "MediaStorage", "local_storage", "new_name"]

log = structlog.get_logger(__name__)

_NAME = re.compile(r"^[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def new_name(suffix: str = "") -> str:
    """A fresh storage name: 32 random hex digits and ``suffix`` (kept only if it is a plain extension)."""
    suffix = suffix.lower()
    return secrets.token_hex(16) + (suffix if _SUFFIX.match(suffix) else "")


class MediaStorage(Protocol):
    """What PostRápido needs from a file store."""

    async def save(self, name: str, chunks: AsyncIterable[bytes]) -> int:
        """Write ``chunks`` under ``name``; answers the size. If reading ``chunks`` fails, nothing is kept."""
        ...

    def open(self, name: str) -> BinaryIO:
        """The stored file, opened for reading."""
        ...

    def local_path(self, name: str) -> Path:
        """A path on this machine where ffmpeg can read the file (or write it, for a new name)."""
        ...

    def size(self, name: str) -> int:
        """The stored file's size in bytes."""
        ...

    def exists(self, name: str) -> bool:
        """Whether a file of that name is stored."""
        ...

    def delete(self, name: str) -> None:
        """Remove the file; nothing happens if it is not there."""
        ...


class LocalStorage:
    """Files in one folder on the local disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def save(self, name: str, chunks: AsyncIterable[bytes]) -> int:
        """Stream ``chunks`` to a hidden partial file, renamed to ``name`` only when all arrived."""
        path = self.local_path(name)
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.part")
        size = 0
        handle = await asyncio.to_thread(partial.open, "wb")
        try:
            async for chunk in chunks:
                if chunk:
                    await asyncio.to_thread(handle.write, chunk)
                    size += len(chunk)
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(partial.replace, path)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
        log.info("storage.saved", name=name, size=size)
        return size

    def open(self, name: str) -> BinaryIO:
        """The stored file, opened for reading."""
        return self.local_path(name).open("rb")

    def local_path(self, name: str) -> Path:
        """The file's path under the root; a name RENUM did not generate is refused."""
        if not _NAME.match(name):
            raise ValueError(f"not a storage name: {name!r}")
        return self.root / name

    def size(self, name: str) -> int:
        """The stored file's size in bytes."""
        return os.stat(self.local_path(name)).st_size

    def exists(self, name: str) -> bool:
        """Whether a file of that name is stored."""
        return self.local_path(name).is_file()

    def delete(self, name: str) -> None:
        """Remove the file; nothing happens if it is not there."""
        self.local_path(name).unlink(missing_ok=True)
        log.info("storage.deleted", name=name)


def local_storage(data_dir: Path) -> LocalStorage:
    """The media store under ``data_dir / "media"``."""
    return LocalStorage(data_dir / "media")
