"""Files and paths: where the database is, creating it readable by its owner only, refusing a file
that is not SQLite before SQLite sees it, and opening it read-only."""

from __future__ import annotations

import os
import sqlite3
import stat
import struct
from pathlib import Path

from workbench.store.errors import CorruptDatabaseError

DB_ENV = "WORKBENCH_DB"
DB_FILENAME = "workbench.db"

_SQLITE_MAGIC = b"SQLite format 3\x00"


def default_db_path() -> Path:
    import platformdirs

    from workbench.settings import APP_NAME

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def resolve_db_path(cli_value: str | Path | None = None) -> Path:
    """`--db` wins, then the WORKBENCH_DB environment variable, then the user data directory."""
    if cli_value is not None and str(cli_value) != "":
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV, "")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def create_private(path: Path) -> None:
    """Create missing directories 0700 and the file 0600 before SQLite opens it; -wal and -shm
    inherit the file's mode."""
    missing: list[Path] = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def not_writable(path: Path) -> bool:
    """Not writable by us, or its owner took away their own write bit (which root would ignore)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not mode & stat.S_IWUSR


def side_file(path: Path, suffix: str) -> Path:
    """The database's `-wal`, `-shm` or `-journal` beside it."""
    return Path(f"{path}{suffix}")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_a_file(path: Path | str) -> str | None:
    """What `path` is if it exists and is not a regular file (a directory, a FIFO, a device
    like /dev/null, a socket), from `os.stat` alone: nothing is opened, so a FIFO cannot hang
    the caller. None for a regular file or nothing there."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def _place(path: Path) -> tuple[int, int, str] | None:
    """Where a name is, by identity: its directory's device and inode, and the name in it."""
    try:
        folder = os.stat(path.parent)
    except (OSError, ValueError):
        return None
    return (folder.st_dev, folder.st_ino, path.name)


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name one file, by identity, not by spelling: the same device and
    inode when both exist (through symlinks, hard links, relative paths), else the same name in
    the same directory (its device and inode: a symlinked directory is the directory)."""
    try:
        return os.path.samestat(os.stat(a), os.stat(b))
    except (OSError, ValueError):
        pass
    here, there = _place(a), _place(b)
    return here is not None and here == there


def is_database_file(target: Path, database: Path) -> bool:
    """Whether writing to `target` (or to the -wal/-shm/-journal that writing a database there
    would make, or replace) would write to `database` or one of its own side files."""
    ours = [database, *(side_file(database, s) for s in SIDE_SUFFIXES)]
    theirs = [target, *(side_file(target, s) for s in SIDE_SUFFIXES)]
    return any(same_file(t, o) for t in theirs for o in ours)


def heal_side_files(path: Path) -> None:
    """Give our own -wal and -shm at least the database's permissions: side files narrower than
    the file (left by a read-only open of a 0400 file) make every later write fail as
    "read-only". Another user's files are left alone."""
    try:
        want = stat.S_IMODE(os.stat(path).st_mode) & 0o666
    except OSError:
        return
    for suffix in ("-wal", "-shm"):
        side = side_file(path, suffix)
        try:
            info = os.lstat(side)
        except OSError:
            continue
        have = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and want & ~have:
            try:
                os.chmod(side, have | want)
            except OSError:
                continue


def in_wal_mode(path: Path) -> bool:
    """Whether the file's header says WAL (read and write versions 2): opening a file in
    another mode for writing switches it, which writes the header."""
    with path.open("rb") as handle:
        header = handle.read(20)
    return len(header) == 20 and header[18:20] == b"\x02\x02"


def _header_fields_valid(header: bytes) -> bool:
    """The header's fixed fields as SQLite's file format defines them (a flipped byte there is
    damage SQLite itself may read past): versions 1 or 2, payload fractions 64/32/32, schema
    format up to 4, text encoding up to 3 (0 in a file with no schema yet), and the 20 bytes reserved for expansion all zero."""
    (schema_format,) = struct.unpack(">I", header[44:48])
    (encoding,) = struct.unpack(">I", header[56:60])
    return (
        header[18] in (1, 2)
        and header[19] in (1, 2)
        and header[21:24] == b"\x40\x20\x20"
        and schema_format <= 4
        and encoding <= 3
        and not any(header[72:92])
    )


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite or is shorter than its header says, before SQLite sees it."""
    size = path.stat().st_size
    if size == 0:
        return  # a file we just created, or an empty database: SQLite treats both as new
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise CorruptDatabaseError(f"not an SQLite database (not a workbench file): {path}")
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if page_size < 512 or page_size & (page_size - 1) or not _header_fields_valid(header):
        raise CorruptDatabaseError(f"the database header is damaged: {path}")
    if Path(f"{path}-wal").exists():
        # Another connection may be checkpointing: it writes page 1 (the new size) before the
        # pages that grow the file, so the size is only checked on a file at rest.
        return
    if size % page_size:
        raise CorruptDatabaseError(f"the database file is truncated or damaged: {path}")
    if pages and valid_for == change_counter and size < pages * page_size:
        raise CorruptDatabaseError(f"the database file is truncated: {path}")


def connect_readonly(path: Path, timeout: float, *, probe: bool = False) -> sqlite3.Connection:
    """mode=ro; a WAL file in a directory we cannot write has no -shm to share, so fall back to
    immutable=1 then. A file with no -wal beside it is read as immutable: all its content is in
    the file, and nothing (not even an empty -wal or -shm) is created beside it. (`probe` is
    kept for its callers: every read-only connection now does what it did.)"""
    uri = path.absolute().as_uri()
    # With no -wal beside the file, no connection is writing it (a writer's -wal lasts as long
    # as its connection): read it as immutable, which creates no -wal or -shm. mode=ro alone
    # creates both, with the file's mode: a 0400 file left 0400 side files that made the next
    # writable open of it fail.
    immutable = not Path(f"{path}-wal").exists()
    conn = sqlite3.connect(
        f"{uri}?mode=ro{'&immutable=1' if immutable else ''}",
        uri=True,
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        # No -shm to share and none can be created: SQLite says CANTOPEN or READONLY.
        if immutable or error_code(exc) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY):
            conn.close()
            raise
        conn.close()
        conn = sqlite3.connect(
            f"{uri}?mode=ro&immutable=1",
            uri=True,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
    return conn


def error_code(exc: sqlite3.Error) -> int:
    """The primary result code (SQLITE_BUSY, SQLITE_FULL, ...): the extended code's low byte."""
    return int(getattr(exc, "sqlite_errorcode", -1)) & 0xFF
