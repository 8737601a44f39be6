-- The history of background runs (reconciliation today): one row a run,
-- its summary as JSON, newest first per kind.
CREATE TABLE runs (
    id          text PRIMARY KEY,
    kind        text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    summary     jsonb NOT NULL
);
CREATE INDEX runs_kind_started ON runs (kind, started_at DESC);
