"""Where a dataset's files are stored: a folder on this machine, or an fsspec URL.

Files are named relative to the dataset root (``seeds/annotations/x.json``). A local root
(a path, or a ``file://`` URL, which is turned into its path) is read through
:mod:`toolkit.regular_file`: regular files only, links not followed unless asked, at most the
limit plus one byte read. Any other URL (``memory://``, ``s3://``, ``gs://``...) is read
through fsspec with the same refusals, raising the same exceptions: a file is taken only when
the file system says its type is ``"file"``, a size over the limit is refused from what the
file system says before anything is read, and at most the limit plus one byte is asked for
whatever the size claims.

A URL may carry credentials (``s3://KEY:SECRET@bucket``); :func:`redact` takes them out of
everything shown. fsspec is imported only for a URL root; its optional backends (``s3fs``,
``gcsfs``) are named when missing (:class:`StorageUnavailable`, exit status 2).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from toolkit.errors import ToolkitError
from toolkit.regular_file import FileTooLarge, NotRegularFile, read_regular, sha256_file

#: What a root that is a URL starts with: a protocol and ``://``, or a chain of fsspec
#: protocols (``simplecache::s3://...``).
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,31})(?:://|::)")
#: A protocol and ``://`` at the start of one link of a chain.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: Protocols of this machine's file system, whatever the spelling.
_LOCAL = frozenset({"file", "local"})
#: Protocols whose store lives in the memory of one process (workers elsewhere see none of it).
IN_PROCESS = frozenset({"memory"})


class StorageUnavailable(ToolkitError):
    """The dataset root's file system cannot be used: an unknown protocol, a backend not
    installed, or a store that refuses to be read (no credentials, no such bucket)."""


class Storage(Protocol):
    """The files of a dataset root, named relative to it (see the module's docstring)."""

    @property
    def is_local(self) -> bool:
        """True for a folder of this machine (POSIX reads, links, file status)."""

    @property
    def in_process(self) -> bool:
        """True when the store lives in this process's memory: other processes see none of
        it."""

    @property
    def address(self) -> str:
        """The root as another process opens it again: a path, or the URL as given."""

    def entries(self, folder: str) -> list[str]:
        """The names in *folder* (relative to the root), unsorted; [] when it is absent."""

    def kind(self, name: str) -> str | None:
        """What *name* is, no link followed: "file", "directory", or another phrase of the
        store ("link", "other"); None when it does not exist."""

    def read_bytes(self, name: str, limit: int, *, follow_links: bool = False) -> bytes:
        """The bytes of *name*, a regular file of at most *limit* bytes.

        :raises NotRegularFile: when it is not a regular file.
        :raises FileTooLarge: when it holds more than *limit* bytes.
        :raises OSError: when it cannot be read (absent, no permission).
        """

    def sha256(self, name: str) -> str:
        """The SHA-256 of the regular file *name*, as hex.

        :raises OSError: when it cannot be read or is not a regular file.
        """

    def location(self, name: str) -> str:
        """Where *name* is, as a message shows it (credentials taken out)."""


def is_url(root: str | os.PathLike[str]) -> bool:
    """Whether *root* is a URL (``PROTOCOL://...``) rather than a path."""
    return isinstance(root, str) and _URL.match(root) is not None


def redact(text: str) -> str:
    """*text*, a URL (or a chain of them), with what may hold credentials taken out: the
    userinfo of each link (up to its last ``@``, so a secret holding ``/`` or ``@`` goes
    whole) and its query and fragment.

    >>> redact("s3://KEY:SECRET@bucket/data")
    's3://***@bucket/data'
    >>> redact("simplecache::s3://KEY:SE/CRET@bucket/data?token=T")
    'simplecache::s3://***@bucket/data?***'
    >>> redact("memory://data")
    'memory://data'
    """
    links = []
    for link in text.split("::"):
        scheme = _SCHEME.match(link)
        if scheme is not None:
            rest = link[scheme.end() :]
            cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=-1)
            if cut >= 0:
                rest = rest[:cut] + "?***"
            at = rest.rfind("@")
            if at >= 0:
                rest = "***" + rest[at:]
            link = scheme.group(0) + rest
        links.append(link)
    return "::".join(links)


def _secrets(url: str) -> list[str]:
    """What in *url* may be a credential, as it stands and percent-decoded: each link's
    userinfo and password, and its query's values (the longest first)."""
    found: set[str] = set()
    for link in url.split("::"):
        scheme = _SCHEME.match(link)
        if scheme is None:
            continue
        rest = link[scheme.end() :]
        query = ""
        for mark in ("?", "#"):
            if mark in rest:
                rest, tail = rest.split(mark, 1)
                query = f"{query}&{tail}"
        at = rest.rfind("@")
        if at >= 0:
            userinfo = rest[:at]
            found.update({userinfo, userinfo.partition(":")[2]})
        found.update(value for _, _, value in (p.partition("=") for p in query.split("&")))
    found |= {unquote(secret) for secret in found}
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def open_storage(root: str | os.PathLike[str]) -> Storage:
    """The storage of *root*: a local path or ``file://`` URL (:class:`LocalStorage`), or
    any other fsspec URL (:class:`FsspecStorage`).

    :raises StorageUnavailable: for a ``file://`` URL naming another host, an unknown
        protocol, or a backend that is not installed.
    """
    if not is_url(root):
        return LocalStorage(Path(root).resolve())
    url = str(root)
    protocols = [link.split("://", 1)[0].lower() for link in url.split("::")]
    if protocols[0] in _LOCAL and "::" not in url:
        return LocalStorage(Path(_file_url_path(url)).resolve())
    if _LOCAL & set(protocols):
        raise StorageUnavailable(
            f"{redact(url)[:200]}: a folder of this machine is read as a folder: give its path "
            "(or file:///ABSOLUTE/PATH), not a chain of file systems over it"
        )
    return FsspecStorage.of(url)


def _file_url_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise StorageUnavailable(
            f"{redact(url)[:200]}: a file:// URL names a file of this machine; give "
            "file:///ABSOLUTE/PATH"
        )
    return unquote(parts.path) or "/"


@dataclass(frozen=True)
class LocalStorage:
    """A dataset folder of this machine, read with :mod:`toolkit.regular_file`."""

    root: Path
    is_local: bool = field(default=True, init=False)
    in_process: bool = field(default=False, init=False)

    @property
    def address(self) -> str:
        return str(self.root)

    def path(self, name: str) -> str:
        """The path of *name*."""
        return f"{self.root}/{name}" if name else str(self.root)

    def entries(self, folder: str) -> list[str]:
        try:
            return os.listdir(self.path(folder))
        except OSError:
            return []

    def kind(self, name: str) -> str | None:
        try:
            mode = os.lstat(self.path(name)).st_mode
        except OSError:
            return None
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "directory"
        return "link" if stat.S_ISLNK(mode) else "other"

    def read_bytes(self, name: str, limit: int, *, follow_links: bool = False) -> bytes:
        return read_regular(self.path(name), limit, follow_links=follow_links)

    def sha256(self, name: str) -> str:
        return sha256_file(self.path(name), follow_links=False)

    def location(self, name: str) -> str:
        return self.path(name)


@dataclass(frozen=True)
class FsspecStorage:
    """A dataset root given as an fsspec URL (``memory://``, ``s3://``, ``gs://``...).

    :param url: the root as given (credentials included: another process opens it again).
    """

    url: str = field(repr=False)
    protocol: str
    is_local: bool = field(default=False, init=False)
    _fs: Any = field(default=None, repr=False, compare=False)
    _base: str = field(default="", repr=False, compare=False)

    @classmethod
    def of(cls, url: str) -> FsspecStorage:
        """The storage of *url*, its file system set up (credentials come from the
        environment or fsspec's configuration, as each backend reads them).

        :raises StorageUnavailable: for an unknown protocol or a backend not installed.
        """
        match = _URL.match(url)
        protocol = match.group(1).lower() if match else ""
        shown = redact(url)[:200]
        if _URL.match(url.rstrip("/")) is None or url.rstrip("/").endswith(":"):
            raise StorageUnavailable(
                f"{shown}: the URL names no folder; give PROTOCOL://BUCKET/PATH"
            )
        url = "::".join(  # protocols are lower case (S3:// is s3://)
            _SCHEME.sub(lambda m: m.group(0).lower(), link) for link in url.rstrip("/").split("::")
        )
        store = url.split("::")[-1].split("://", 1)[0]  # the last of a chain holds the files
        try:
            import fsspec.core
            from fsspec.registry import known_implementations
        except ImportError:
            raise StorageUnavailable(
                f"{shown}: a URL root needs fsspec (pip install fsspec)"
            ) from None
        try:
            fs, base = fsspec.core.url_to_fs(url)
        except ImportError:
            known = known_implementations.get(store, {})
            needs = str(known.get("err") or "")
            package = str(known.get("class", store)).split(".", 1)[0]
            if package == "fsspec" or not needs:
                needs = needs or f"the package {package}"
            else:
                needs = f"the package {package} (pip install {package})"
            raise StorageUnavailable(
                f"{shown}: the {store}:// file system is not installed here: {needs}"
            ) from None
        except ValueError as exc:
            if "Protocol not known" not in str(exc):
                raise StorageUnavailable(f"{shown}: {_scrub(str(exc), url)}") from None
            raise StorageUnavailable(
                f"{shown}: fsspec knows no file system {protocol}://; give a local path or a "
                "URL such as s3://BUCKET/PATH, gs://BUCKET/PATH, file:///PATH or memory://PATH"
            ) from None
        except Exception as exc:
            raise StorageUnavailable(
                f"{shown}: the {protocol}:// file system cannot be set up "
                f"({type(exc).__name__}: {_scrub(str(exc), url)[:200]})"
            ) from None
        spoken = getattr(fs, "protocol", ())
        spoken = {spoken} if isinstance(spoken, str) else set(spoken)
        if spoken & _LOCAL or type(fs).__name__ == "LocalFileSystem":
            raise StorageUnavailable(
                f"{shown}: this is a folder of this machine; give its path or file:///ABSOLUTE/PATH"
            )
        return cls(url, protocol, fs, str(base).rstrip("/"))

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (FsspecStorage.of, (self.url,))

    @property
    def in_process(self) -> bool:
        chain = {link.split("://", 1)[0].lower() for link in self.url.split("::")}
        return bool(chain & IN_PROCESS)

    @property
    def address(self) -> str:
        return self.url

    def path(self, name: str) -> str:
        """The file system's path of *name*."""
        return f"{self._base}/{name}" if name else self._base

    def entries(self, folder: str) -> list[str]:
        try:
            listed = self._fs.ls(self.path(folder), detail=False)
        except FileNotFoundError:
            return []
        except Exception as exc:
            raise self._unavailable(folder, exc) from None
        prefix = self.path(folder).rstrip("/") + "/"
        names = []
        for entry in listed:
            path = str(entry).rstrip("/")
            if path.startswith(prefix) or path.startswith(prefix.lstrip("/")):
                names.append(path.rsplit("/", 1)[-1])
        return names

    def kind(self, name: str) -> str | None:
        try:
            info = self._fs.info(self.path(name))
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self._unavailable(name, exc) from None
        return str(info.get("type") or "other")

    def read_bytes(self, name: str, limit: int, *, follow_links: bool = False) -> bytes:
        path = self.path(name)
        size = self._file_size(name)
        if size is not None and size > limit:
            raise FileTooLarge(limit, size)
        try:
            with self._fs.open(path, "rb") as f:  # a read of a length stops there, whatever
                data = bytes(f.read(limit + 1))  # the store makes of a range
        except FileNotFoundError:
            raise self._absent(name) from None
        except Exception as exc:
            raise self._unreadable(name, exc) from None
        if len(data) > limit:
            raise FileTooLarge(limit, None)
        return data

    def sha256(self, name: str) -> str:
        try:
            self._file_size(name)
        except NotRegularFile as exc:
            raise OSError(errno.EINVAL, str(exc), self.location(name)) from None
        try:
            with self._fs.open(self.path(name), "rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest()
        except FileNotFoundError:
            raise self._absent(name) from None
        except Exception as exc:
            raise self._unreadable(name, exc) from None

    def location(self, name: str) -> str:
        shown = redact(self.url)
        return f"{shown}/{name}" if name else shown

    def _file_size(self, name: str) -> int | None:
        """The size the store gives for the file *name* (None when it gives none).

        :raises NotRegularFile: when *name* is not of type "file".
        :raises OSError: when it is absent or the store cannot be asked.
        """
        try:
            info = self._fs.info(self.path(name))
        except FileNotFoundError:
            raise self._absent(name) from None
        except Exception as exc:
            raise self._unreadable(name, exc) from None
        kind = info.get("type")
        if kind != "file":
            raise NotRegularFile("a directory" if kind == "directory" else f"of type {kind!r}")
        size = info.get("size")
        return size if isinstance(size, int) else None

    def _absent(self, name: str) -> OSError:
        return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), self.location(name))

    def _unreadable(self, name: str, exc: BaseException) -> OSError:
        if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:
            return OSError(exc.errno, _scrub(exc.strerror, self.url), self.location(name))
        reason = f"{type(exc).__name__}: {_scrub(str(exc), self.url)[:200]}"
        return OSError(errno.EIO, reason, self.location(name))

    def _unavailable(self, name: str, exc: BaseException) -> StorageUnavailable:
        return StorageUnavailable(
            f"{self.location(name)[:200]} cannot be listed or read "
            f"({type(exc).__name__}: {_scrub(str(exc), self.url)[:200]})"
        )


def _scrub(text: str, url: str) -> str:
    """*text*, a backend's message, with what may be a credential in *url* (:func:`_secrets`)
    taken out wherever it appears."""
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text
