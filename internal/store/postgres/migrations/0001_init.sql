-- Orders, their timelines, the raw deliveries and the message records.
-- The same shape as the SQLite schema, in PostgreSQL's own types: times are
-- timestamptz (NULL means unset), the order document is jsonb, bodies bytea.

CREATE TABLE orders (
    storefront        text        NOT NULL,
    order_id          text        NOT NULL,
    name              text        NOT NULL DEFAULT '',
    state             text        NOT NULL,
    email             text        NOT NULL DEFAULT '',
    document          jsonb       NOT NULL,
    captured_at       timestamptz,
    source_updated_at timestamptz,
    received_at       timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    settled_at        timestamptz,
    erp_ref           text        NOT NULL DEFAULT '',
    attempts          integer     NOT NULL DEFAULT 0,
    attention         text        NOT NULL DEFAULT '',
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (storefront, order_id)
);

CREATE INDEX orders_state ON orders (state, received_at);
CREATE INDEX orders_received ON orders (received_at);
CREATE INDEX orders_email ON orders (email) WHERE email <> '';
CREATE INDEX orders_attention ON orders (received_at) WHERE attention <> '';

CREATE TABLE order_events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    storefront text        NOT NULL,
    order_id   text        NOT NULL,
    at         timestamptz NOT NULL,
    kind       text        NOT NULL,
    source     text        NOT NULL DEFAULT '',
    attempt    integer     NOT NULL DEFAULT 0,
    detail     text        NOT NULL DEFAULT '',
    error      text        NOT NULL DEFAULT ''
);

CREATE INDEX order_events_order ON order_events (storefront, order_id, id);

CREATE TABLE deliveries (
    dedup_key   text        PRIMARY KEY,
    storefront  text        NOT NULL,
    topic       text        NOT NULL,
    delivery_id text        NOT NULL DEFAULT '',
    order_id    text        NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    body        bytea       NOT NULL
);

CREATE INDEX deliveries_order ON deliveries (storefront, order_id);

CREATE TABLE notifications (
    storefront text        NOT NULL,
    order_id   text        NOT NULL,
    kind       text        NOT NULL,
    status     text        NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0,
    message_id text        NOT NULL DEFAULT '',
    updated_at timestamptz,
    PRIMARY KEY (storefront, order_id, kind)
);
