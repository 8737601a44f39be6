-- Orders, their timelines, the raw deliveries and the message records.
-- Times are Unix microseconds (UTC); 0 means unset.

CREATE TABLE orders (
    storefront        TEXT    NOT NULL,
    order_id          TEXT    NOT NULL,
    name              TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL,
    email             TEXT    NOT NULL DEFAULT '',
    document          TEXT    NOT NULL,
    captured_at       INTEGER NOT NULL DEFAULT 0,
    source_updated_at INTEGER NOT NULL DEFAULT 0,
    received_at       INTEGER NOT NULL,
    acknowledged_at   INTEGER NOT NULL DEFAULT 0,
    settled_at        INTEGER NOT NULL DEFAULT 0,
    erp_ref           TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    attention         TEXT    NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (storefront, order_id)
) WITHOUT ROWID;

CREATE INDEX orders_state ON orders (state, received_at);
CREATE INDEX orders_received ON orders (received_at);
CREATE INDEX orders_email ON orders (email) WHERE email <> '';
CREATE INDEX orders_attention ON orders (received_at) WHERE attention <> '';

CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    storefront TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    source     TEXT    NOT NULL DEFAULT '',
    attempt    INTEGER NOT NULL DEFAULT 0,
    detail     TEXT    NOT NULL DEFAULT '',
    error      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX order_events_order ON order_events (storefront, order_id, id);

CREATE TABLE deliveries (
    dedup_key   TEXT    PRIMARY KEY,
    storefront  TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL DEFAULT '',
    order_id    TEXT    NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    body        BLOB    NOT NULL
) WITHOUT ROWID;

CREATE INDEX deliveries_order ON deliveries (storefront, order_id);

CREATE TABLE notifications (
    storefront TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    message_id TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (storefront, order_id, kind)
) WITHOUT ROWID;
