"""Bounded reads of regular files only.

:func:`read_regular` is how the checks read what a contributor wrote: a FIFO would block the
run forever, a character device such as ``/dev/zero`` would be read until memory runs out, and
``st_size`` is 0 for both (and may be wrong for a file that grows while read, or for one a
file system sizes wrongly). So the file is opened without blocking and without becoming a
controlling terminal, its type is taken from the open descriptor (no race between a check and
the open), and at most the limit plus one byte is read whatever its size claims.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat

#: Open flags: read only, never block on a FIFO or device, never take a terminal.
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY
#: Largest single read after the size the file claims has been read (bytes).
_CHUNK = 1 << 16
#: Errors of ``open`` that a special file (a socket, a link not followed) gives.
_SPECIAL_ERRNOS = frozenset({errno.ENXIO, errno.ELOOP, errno.EOPNOTSUPP, errno.ENODEV})


class NotRegularFile(Exception):
    """The path is not a regular file (a FIFO, a device, a socket, a directory, a link not
    followed); ``kind`` names what it is, as in "a FIFO"."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"the file is {kind}, not a regular file")
        self.kind = kind


class FileTooLarge(Exception):
    """The file holds more than ``limit`` bytes; ``size`` is the size it claims when that
    is already over the limit, None when the excess was found by reading it."""

    def __init__(self, limit: int, size: int | None) -> None:
        if size is not None:
            message = f"{size} bytes is over the limit of {limit} bytes"
        else:
            message = (
                f"more than {limit} bytes were read, over the limit of {limit} bytes "
                "(the file grew while read, or its size is misreported)"
            )
        super().__init__(message)
        self.limit = limit
        self.size = size


def kind_of(mode: int) -> str:
    """What a file of *mode* (``st_mode``) is, as a phrase: "a regular file", "a FIFO"..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


def read_regular(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True) -> bytes:
    """The bytes of *path*, a regular file of at most *limit* bytes.

    One ``open``, one ``fstat`` and the reads: the size the file claims plus one byte, then
    until the end of the file (or more than *limit* bytes).

    :param follow_links: when False, a symbolic link (the last part of *path*) is refused as
        not a regular file.
    :raises NotRegularFile: when *path* is a FIFO, a device, a socket, a directory (or a link,
        with *follow_links* False).
    :raises FileTooLarge: when it holds more than *limit* bytes, by its size or as read.
    :raises OSError: when it cannot be opened or read (absent, no permission).
    """
    fd, st = open_regular(path, follow_links=follow_links)
    try:
        if st.st_size > limit:
            raise FileTooLarge(limit, st.st_size)
        data = os.read(fd, st.st_size + 1)
        if not data:
            return data
        chunks = [data]
        total = len(data)
        while True:
            if total > limit:
                raise FileTooLarge(limit, None)
            more = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not more:
                break
            chunks.append(more)
            total += len(more)
        return data if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def open_regular(
    path: str | os.PathLike[str], *, follow_links: bool = True
) -> tuple[int, os.stat_result]:
    """A descriptor open for reading on *path*, a regular file, and its status, taken from the
    descriptor: opened without blocking (a FIFO) and without becoming a terminal (a device).
    The caller closes the descriptor.

    :raises NotRegularFile: when *path* is not a regular file (or, with *follow_links* False,
        is a link).
    :raises OSError: when it cannot be opened.
    """
    flags = _FLAGS if follow_links else _FLAGS | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in _SPECIAL_ERRNOS:
            _refuse_special(path, follow_links, exc)
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegularFile(kind_of(st.st_mode))
    return fd, st


def sha256_file(path: str | os.PathLike[str], *, follow_links: bool = True) -> str:
    """The SHA-256 of a regular file's bytes, as hex, read a megabyte at a time (every file
    hash of the toolkit is taken here; bytes already in memory are hashed where they are
    read). A FIFO or a device put in a file's place is refused, never read (and a link,
    with *follow_links* False).

    :raises OSError: when the file cannot be read or is not a regular file.
    """
    try:
        fd, _ = open_regular(path, follow_links=follow_links)
    except NotRegularFile as exc:
        raise OSError(errno.EINVAL, str(exc), str(path)) from exc
    with os.fdopen(fd, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _refuse_special(path: str | os.PathLike[str], follow_links: bool, exc: OSError) -> None:
    """Raise :class:`NotRegularFile` when *path*, which ``open`` refused with *exc*, is a
    special file (a socket cannot be opened; a link is refused by ``O_NOFOLLOW``); return
    when it is not, for the caller to raise *exc*."""
    try:
        mode = os.stat(path, follow_symlinks=follow_links).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise NotRegularFile(kind_of(mode)) from exc
