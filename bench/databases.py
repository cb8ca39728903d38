"""The benchmark's databases: generated once a day per version of the code that shapes them, kept
under bench/results/cache/, and a copy on disk for the benchmarks that write."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import generate

ROOT = Path(__file__).resolve().parent.parent
SHAPING = (
    "bench/generate.py",
    "workbench/models.py",
    "workbench/playbook.py",
    "data/playbook.toml",
)


def _cache_key(count: int) -> str:
    digest = hashlib.sha256()
    for name in SHAPING:
        digest.update((ROOT / name).read_bytes())
    for folder in ("store", "rules"):
        for path in sorted((ROOT / "workbench" / folder).glob("*.py")):
            digest.update(path.read_bytes())
    digest.update(f"{count}:{generate.SEED}:{datetime.now(UTC).date()}".encode())
    return digest.hexdigest()[:16]


def database(
    count: int, folder: Path, *, fresh: bool, cache: bool, log: Callable[[str], None]
) -> tuple[Path, float]:
    """The database of `count` generated cases, and the seconds it took to build (0 if cached)."""
    path = (
        folder / f"cases-{count}-{_cache_key(count)}.db" if cache else folder / f"cases-{count}.db"
    )
    if cache and path.exists() and not fresh:
        log(f"  {count:,} cases: cached {path.name}")
        return path, 0.0
    if cache:
        for old in folder.glob(f"cases-{count}-*.db*"):
            old.unlink()
    workers = 1 if count >= 5000 else 0
    seconds = generate.build_database(path, count, workers=workers)
    _sync(path)  # written back now, not under the benchmarks that follow (see working_copy)
    log(f"  {count:,} cases: built in {seconds:.1f} s")
    return path, seconds


def working_copy(source: Path, folder: Path) -> Path:
    """A copy of `source` to write to, on the disk before it is used. Left in the page cache
    (700 MB at 100,000 cases), the copy was written back by the app's first sync of the
    database file, its first WAL checkpoint, and the saves beside that checkpoint waited for it:
    40-120 ms toggles, the benchmark's own doing."""
    target = folder / f"work-{source.name}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)
    _sync(target)
    with contextlib.suppress(OSError):  # the entry: some file systems cannot sync a directory
        _sync(folder, os.O_DIRECTORY)
    return target


def _sync(path: Path, flags: int = 0) -> None:
    """fsync a file, or with O_DIRECTORY a directory's entries."""
    descriptor = os.open(path, os.O_RDONLY | flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
