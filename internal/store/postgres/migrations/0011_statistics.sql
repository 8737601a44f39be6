-- No planner statistics for the columns no query filters or joins on:
-- the order document (jsonb), the raw webhook body and the timeline's
-- free text. ANALYZE sorts a sample of every column to build its
-- statistics; for the jsonb document that sort compares documents key by
-- key (compareJsonbContainers). While orders were being ingested (perf,
-- 64 connections, 2026-11-28) autovacuum's ANALYZE took 8.8% of the
-- machine's CPU samples, about a sixth of the server's, 5.4% of them in
-- sorting documents. Nothing reads these statistics.
ALTER TABLE orders ALTER COLUMN document SET STATISTICS 0;
ALTER TABLE deliveries ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE order_events ALTER COLUMN detail SET STATISTICS 0;
ALTER TABLE order_events ALTER COLUMN error SET STATISTICS 0;
