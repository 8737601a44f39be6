-- The SLA sweep's query (Store.Unsettled): per storefront, the orders not
-- settled and not yet marked overdue, oldest first. Partial, so it holds
-- only the orders in flight, not the history, and stays small.
CREATE INDEX orders_unsettled ON orders (storefront, received_at, order_id)
    WHERE overdue_at = 0 AND state NOT IN ('confirmed', 'rejected', 'cancelled');
