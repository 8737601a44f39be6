-- Orders per state, for Store.Counts: the metrics scrape (the
-- ordergate_orders gauge) and the dashboard read it at every refresh, and
-- counting the orders themselves reads every one of them, which grows with
-- the history (SQLite's store took 1.4 s warm, 8.6 s cold at 1,000,000).
--
-- A single row a state, kept by the writers, would be a lock every
-- committer and every replica takes on each batch ("received" changes with
-- every new order): they would commit one after another, and two
-- transactions touching two states in opposite orders could deadlock. So
-- each statement that changes orders appends what it changed, one row a
-- state, to order_count_deltas, which takes no lock any other writer
-- waits for; Counts sums the rows, and the store folds them into one row a
-- state every few seconds (Store.foldCounts).
-- No order may change between the first count below and the triggers:
-- replicas still on the previous version may be writing.
LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE order_count_deltas (
    state text   NOT NULL,
    n     bigint NOT NULL
);

INSERT INTO order_count_deltas (state, n) SELECT state, count(*) FROM orders GROUP BY state;

CREATE FUNCTION ordergate_count_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO order_count_deltas (state, n) SELECT state, count(*) FROM new_rows GROUP BY state;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO order_count_deltas (state, n)
        SELECT state, sum(d) FROM (
            SELECT state, 1 AS d FROM new_rows
            UNION ALL
            SELECT state, -1 FROM old_rows
        ) AS changed
        GROUP BY state HAVING sum(d) <> 0;
    ELSE
        INSERT INTO order_count_deltas (state, n) SELECT state, -count(*) FROM old_rows GROUP BY state;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER order_counts_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ordergate_count_orders();
CREATE TRIGGER order_counts_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ordergate_count_orders();
CREATE TRIGGER order_counts_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ordergate_count_orders();
