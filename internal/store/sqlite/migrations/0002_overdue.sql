-- When an order passed its confirmation SLA unsettled (Unix microseconds; 0: never).
ALTER TABLE orders ADD COLUMN overdue_at INTEGER NOT NULL DEFAULT 0;

CREATE INDEX orders_overdue ON orders (received_at)
    WHERE overdue_at <> 0 AND state NOT IN ('confirmed', 'rejected', 'cancelled');
