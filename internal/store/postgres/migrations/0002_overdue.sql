-- When an order passed its confirmation SLA unsettled (NULL: never).
ALTER TABLE orders ADD COLUMN overdue_at timestamptz;

CREATE INDEX orders_overdue ON orders (received_at)
    WHERE overdue_at IS NOT NULL AND state NOT IN ('confirmed', 'rejected', 'cancelled');
