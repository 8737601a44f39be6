-- The stock keeper's query (Store.Holding): the orders acknowledged since
-- the last ERP availability read. Partial, so orders never acknowledged
-- (rejected, cancelled early) are not in it.
CREATE INDEX orders_acknowledged ON orders (acknowledged_at) WHERE acknowledged_at > 0;
