package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// openTx is a transaction a group commit began and will commit itself,
// inside its own pipelined statements, saving the round trips pgx's
// Begin and Commit would each take. It is a pgx.Tx so that River can
// insert jobs in it; Commit and Rollback send the statements as they are.
type openTx struct{ c *pgx.Conn }

var _ pgx.Tx = openTx{}

// errNested is answered to Begin: nothing in a group commit nests
// transactions through the pgx.Tx, and a savepoint taken behind the
// batch's back could outlive a delivery.
var errNested = errors.New("postgres: nested transaction in a group commit")

func (t openTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNested }

func (t openTx) Commit(ctx context.Context) error {
	_, err := t.c.Exec(ctx, `COMMIT`)
	return err
}

func (t openTx) Rollback(ctx context.Context) error {
	_, err := t.c.Exec(ctx, `ROLLBACK`)
	return err
}

func (t openTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	return t.c.CopyFrom(ctx, table, columns, src)
}

func (t openTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}

func (t openTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t openTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.c.Prepare(ctx, name, sql)
}

func (t openTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.c.Exec(ctx, sql, args...)
}

func (t openTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.c.Query(ctx, sql, args...)
}

func (t openTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}

func (t openTx) Conn() *pgx.Conn { return t.c }
