package diagnose_test

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ordergate/ordergate/internal/diagnose"
)

func TestWriteHTML_OneWellFormedPageWithNothingFetched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := synthetic{Orders: 1500, Seed: 21, Webhook: withLoad(time.Second, 10*time.Minute), ERP: constant(5*time.Second, time.Second),
		Lines: true, ConfirmAtCapture: true, Lost: 0.01, RetryRate: 0.02}.write(t, dir)
	ov := writeFile(t, dir, "oversells.csv", "marketplace,sku,at,units\namazon,TEE-BLK-M,2026-03-02T15:20:00Z,2\n\"<eBay & \"\"Co\"\">\",MUG-12OZ,2026-03-03T03:00:00Z,1\n")
	tests := []struct {
		name string
		rep  diagnose.Report
	}{
		{"Full", func() diagnose.Report {
			r, _ := diagnoseFiles(t, diagnose.Options{}, e.Webhooks, e.ERP, e.Confirmations, ov)
			return r
		}()},
		{"NoWebhooks", diagnose.New(diagnose.Options{}).Report()},
		{"Insufficient", func() diagnose.Report {
			r, _ := diagnoseFiles(t, diagnose.Options{Thresholds: diagnose.Thresholds{MinOrders: 10_000}}, e.Webhooks, e.ERP, "", "")
			return r
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			must(t, tt.rep.WriteHTML(&b))
			page := b.String()

			// Well-formed: every element closed and nested, every
			// attribute quoted, no entity XML does not know.
			dec := xml.NewDecoder(strings.NewReader(page))
			dec.Strict = true
			var stack []string
			count := map[string]int{}
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					stack = append(stack, el.Name.Local)
					count[el.Name.Local]++
					for _, a := range el.Attr {
						if a.Name.Local == "src" || a.Name.Local == "href" {
							t.Errorf("<%s %s=%q>: the page must not refer to anything", el.Name.Local, a.Name.Local, a.Value)
						}
					}
				case xml.EndElement:
					stack = stack[:len(stack)-1]
				}
			}
			if len(stack) != 0 {
				t.Errorf("elements left open: %v", stack)
			}
			for _, banned := range []string{"http://", "https://", "url(", "@import", "<script", "<link", "<img", "<iframe"} {
				if strings.Contains(page, banned) {
					t.Errorf("the page contains %q; it must need nothing from outside", banned)
				}
			}
			if count["html"] != 1 || count["head"] != 1 || count["style"] != 1 || count["title"] == 0 || count["body"] != 1 {
				t.Errorf("structure %v: want one html, head, style and body", count)
			}
			if tt.name == "Full" {
				if count["svg"] != 4 {
					t.Errorf("%d charts, want 4 (leg split, histogram, over time, by hour)", count["svg"])
				}
				for _, want := range []string{"Webhook delivery or integration queue", "webhook_or_integration_queue", "Orders confirmed before the ERP had them",
					"Marketplace oversells after busy periods", "Demand that differs between storefront and ERP", "&lt;eBay &amp; &#34;Co&#34;&gt;"} {
					if !strings.Contains(page, want) {
						t.Errorf("the page does not show %q", want)
					}
				}
			}
		})
	}
}
