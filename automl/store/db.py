"""The project's SQLite index, `PROJECT/project.db`: opening, schema migrations, transactions.

The database is a fast index of the experiment folders, never the truth: every row can be
rebuilt from the folders (`automl experiments reindex`). It runs in WAL mode with a busy
timeout, so a search writing rows and the GUI reading them at the same moment neither block
each other for long nor fail; every write is one `BEGIN IMMEDIATE` transaction, so a reader
sees an experiment and its trials before or after an update, never half of one.

Example:
    >>> with open_db(Path("my-project")) as db, transaction(db):
    ...     db.execute("DELETE FROM trials WHERE status = 'failed'")
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from automl.errors import AutoMLError

DB_NAME = "project.db"

#: How long a writer waits for another writer before giving up. Writes take milliseconds;
#: a long wait means a stuck process, which the error then names.
BUSY_TIMEOUT_S = 30.0

#: Schema changes, applied in order; migration N (1-based) brings the file to version N.
#: Append new ones; never edit one that has shipped, since files in the wild hold its result.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: experiments and their trials
        """
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,              -- the folder's name
            folder TEXT NOT NULL UNIQUE,     -- relative to the project, with '/'
            data_file TEXT,                  -- as given to the search
            data_sha256 TEXT,
            modality TEXT,                   -- table, image, sequence, text
            task TEXT,
            target TEXT,
            families TEXT NOT NULL DEFAULT '[]',   -- JSON list
            tuner TEXT,
            max_trials INTEGER,
            time_budget_s REAL,
            max_epochs INTEGER,
            status TEXT NOT NULL,            -- running, completed, deadline, stopped,
                                             -- failed or interrupted
            reason TEXT,
            started TEXT,                    -- ISO 8601, UTC
            ended TEXT,
            heartbeat REAL,                  -- seconds since the epoch of the last sign of life
            duration_s REAL,
            best_trial_id TEXT,
            best_score REAL,
            metric TEXT,
            direction TEXT,                  -- max or min
            trials_completed INTEGER NOT NULL DEFAULT 0,
            trials_failed INTEGER NOT NULL DEFAULT 0,
            trials_unfinished INTEGER NOT NULL DEFAULT 0,
            test_metrics TEXT NOT NULL DEFAULT '{}',  -- JSON
            request TEXT NOT NULL DEFAULT '{}',       -- JSON: the search request as run
            signature TEXT                   -- sizes and times of the folder's files when read
        )
        """,
        """
        CREATE TABLE trials (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            trial_id TEXT NOT NULL,
            hyperparameters TEXT NOT NULL DEFAULT '{}',  -- JSON
            status TEXT NOT NULL,            -- running completed failed interrupted
            score REAL,
            best_epoch INTEGER,
            epochs INTEGER NOT NULL DEFAULT 0,
            duration_s REAL,
            metrics TEXT NOT NULL DEFAULT '{}',       -- JSON {"epoch": [1, 2], name: [per epoch]}
            best_metrics TEXT NOT NULL DEFAULT '{}',  -- JSON {name: value at the best epoch}
            checkpoint TEXT,                 -- relative to the experiment folder; NULL if gone
            reason TEXT,                     -- why it failed
            started TEXT,
            ended TEXT,
            PRIMARY KEY (experiment_id, trial_id)
        )
        """,
        "CREATE INDEX experiments_by_name ON experiments(name)",
    ),
)

#: The newest schema this program reads and writes.
SCHEMA_VERSION = len(MIGRATIONS)


class DamagedIndexError(AutoMLError):
    """project.db is not a readable SQLite file; `reindex` moves it aside and rebuilds it."""


def db_path(project: Path) -> Path:
    """Returns where the project's index lives."""
    return Path(project) / DB_NAME


@contextmanager
def open_db(project: Path) -> Iterator[sqlite3.Connection]:
    """Yields a connection to the project's index, created or migrated as needed; closes it.

    Raises:
        AutoMLError: the file was written by a newer AutoML Studio (its schema is newer
            than `SCHEMA_VERSION`); `DamagedIndexError` when it is not an SQLite database.
    """
    path = db_path(project)
    # Autocommit mode: transactions are explicit (`transaction`), never opened behind our back.
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        try:
            _check_version(db, path)
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last
            # update, which the next refresh re-reads from the folder.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            _migrate(db, path)
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
                raise AutoMLError(
                    f"{path} stayed locked by another process for {BUSY_TIMEOUT_S:.0f}s; "
                    "close other AutoML Studio windows or searches on this project and retry"
                ) from None
            raise DamagedIndexError(
                f"{path} is not a readable project index ({error}); run "
                "`automl experiments reindex` to rebuild it from the experiment folders"
            ) from None
        yield db
    finally:
        db.close()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Runs the block as one write transaction: all of it is stored, or none.

    `BEGIN IMMEDIATE` takes the write lock at the start, so two writers queue on the busy
    timeout instead of one failing when it upgrades a read lock (SQLITE_BUSY).
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    """Returns the schema version recorded in the file (0 for a new, empty file)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise AutoMLError(
            f"{path.name} was written by a newer AutoML Studio (schema {version}; this one "
            f"reads up to {SCHEMA_VERSION}); update AutoML Studio to open {path.parent}"
        )


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    if schema_version(db) == SCHEMA_VERSION:
        return
    with transaction(db):
        # Read again under the write lock: another process may have migrated meanwhile.
        version = schema_version(db)
        _check_version(db, path)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
