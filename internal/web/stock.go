package web

import (
	"net/http"
	"strings"

	"github.com/ordergate/ordergate/internal/stock"
)

// StockReporter reads the stock ledger (stock.Keeper).
type StockReporter interface {
	Report(skus ...string) stock.Report
}

// stockReport answers GET /api/v1/stock[?sku=A,B]: for each SKU, what each
// marketplace may be told now, with the ledger's working, and what it was
// last told.
func (s *Server) stockReport(w http.ResponseWriter, r *http.Request) {
	if s.stock == nil {
		writeError(w, http.StatusNotFound, "no marketplaces are configured: there is no stock ledger")
		return
	}
	var skus []string
	for _, v := range r.URL.Query()["sku"] {
		for sku := range strings.SplitSeq(v, ",") {
			if sku = strings.TrimSpace(sku); sku != "" {
				skus = append(skus, sku)
			}
		}
	}
	writeJSON(w, http.StatusOK, s.stock.Report(skus...))
}
