-- The history of background runs (reconciliation today): one row a run,
-- its summary as JSON, newest first per kind.
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    started_at  INTEGER NOT NULL, -- unix microseconds
    finished_at INTEGER NOT NULL,
    summary     BLOB NOT NULL
);
CREATE INDEX runs_kind_started ON runs (kind, started_at DESC);
