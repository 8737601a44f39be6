package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/ordergate/ordergate/internal/store"
	"github.com/ordergate/ordergate/internal/store/storetest"
)

func openTemp(t *testing.T, cfg *river.Config) store.Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "og.db"), Options{River: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openTemp)
}

func TestOpen_SecondProcessIsRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "og.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "in use by another ordergate process") {
		t.Fatalf("second open: %v, want refused", err)
	}
}

func TestMigrate_IdempotentAndRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "og.db")
	first, err := Migrate(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if first.From != 0 || first.To != SchemaVersion() || len(first.Applied) == 0 || len(first.RiverVersions) == 0 {
		t.Fatalf("first migrate: %+v", first)
	}
	again, err := Migrate(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Applied) != 0 || len(again.RiverVersions) != 0 || again.To != first.To {
		t.Fatalf("second migrate did work: %+v", again)
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO ordergate_migrations (version, name, applied_at) VALUES (999, '999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Migrate(ctx, path); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("migrate against a newer schema: %v, want refused", err)
	}
	if _, err := Open(ctx, path, Options{}); err == nil {
		t.Fatal("open against a newer schema succeeded")
	}
}

func TestDurabilitySettings(t *testing.T) {
	t.Parallel()
	s := openTemp(t, nil).(*Store)
	var mode string
	var sync int
	if err := s.write.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.write.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode=%s synchronous=%d, want wal and 2 (FULL): a commit must survive power loss before a 2xx", mode, sync)
	}
}
