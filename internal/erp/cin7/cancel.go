package cin7

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ordergate/ordergate/internal/erp"
)

// Cancel voids every live sale Cin7 holds under our external id (DELETE
// /sale?ID=…&Void=true), which releases the stock its order allocated. A
// sale already voided needs nothing. Cin7's void takes no reason, so reason
// is not sent. If Cin7 refuses (a sale invoiced or shipped, say), Cancel
// returns erp.ErrRejected with Cin7's words.
func (c *Client) Cancel(ctx context.Context, externalID, reason string) error {
	if err := c.cancel(ctx, externalID); err != nil {
		return fmt.Errorf("cin7: cancel sale %s: %w", externalID, err)
	}
	return nil
}

func (c *Client) cancel(ctx context.Context, externalID string) error {
	rows, err := c.findSales(ctx, externalID, readCall)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return erp.Errorf(erp.ErrNotFound, "", "no sale with ExternalID %s", externalID)
	}
	for _, r := range rows {
		if r.Status == statusVoided {
			continue
		}
		var s sale
		q := url.Values{"ID": {r.SaleID}, "Void": {"true"}}
		err := c.do(ctx, http.MethodDelete, "/sale", q, nil, &s, readCall)
		if br, ok := isBadRequest(err); ok {
			return &erp.Error{Kind: erp.ErrRejected, Code: br.code,
				Message: fmt.Sprintf("Cin7 would not void sale %s (%s, status %s): %s", r.SaleID, r.OrderNumber, r.Status, br.words)}
		}
		if err != nil {
			return fmt.Errorf("void sale %s: %w", r.SaleID, err)
		}
		if s.Status != "" && s.Status != statusVoided {
			return fmt.Errorf("void sale %s: Cin7 answered with the sale in status %s", r.SaleID, s.Status)
		}
	}
	return nil
}
