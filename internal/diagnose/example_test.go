package diagnose_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ordergate/ordergate/internal/diagnose"
)

// An ERP that takes five minutes for every order, however busy the
// storefront: the gap is the ERP's processing queue.
func ExampleDiagnosis() {
	dir, _ := os.MkdirTemp("", "diagnose-example-")
	defer os.RemoveAll(dir)
	webhooks := filepath.Join(dir, "webhooks.csv")
	erp := filepath.Join(dir, "erp.csv")
	os.WriteFile(webhooks, []byte(`order_id,triggered_at,delivered_at,attempt
1001,2026-03-02T10:00:00Z,2026-03-02T10:00:00.400Z,1
1002,2026-03-02T10:01:00Z,2026-03-02T10:01:00.300Z,1
1003,2026-03-02T10:02:00Z,,1
1003,2026-03-02T10:02:00Z,2026-03-02T10:03:00.500Z,2
`), 0o600)
	os.WriteFile(erp, []byte(`order_id,received_at
1001,2026-03-02T10:05:00.400Z
1002,2026-03-02T10:06:00.300Z
1003,2026-03-02T10:08:00.500Z
`), 0o600)

	d := diagnose.New(diagnose.Options{Thresholds: diagnose.Thresholds{MinOrders: 3}})
	ctx := context.Background()
	if err := d.ReadFile(ctx, diagnose.Webhooks, webhooks); err != nil {
		fmt.Println(err)
		return
	}
	if err := d.ReadFile(ctx, diagnose.ERPReceipts, erp); err != nil {
		fmt.Println(err)
		return
	}
	rep := d.Report()
	fmt.Println(rep.Verdict, rep.DominantLeg)
	fmt.Println("joined", rep.JoinedOrders, "retries", rep.Retries.Retries)
	fmt.Println("ERP leg p50 ms", rep.Leg(diagnose.LegERP).PercentilesMS.P50)
	fmt.Println("whole gap max ms", rep.PercentilesMS.Max)
	// Output:
	// erp_processing_queue erp
	// joined 3 retries 1
	// ERP leg p50 ms 300000
	// whole gap max ms 360500
}
