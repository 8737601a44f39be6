package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ordergate/ordergate/internal/config"
	"github.com/ordergate/ordergate/internal/gate"
	"github.com/ordergate/ordergate/internal/inventory"
	"github.com/ordergate/ordergate/internal/marketplace"
	"github.com/ordergate/ordergate/internal/marketplace/amazon"
	"github.com/ordergate/ordergate/internal/marketplace/ebay"
	mpsandbox "github.com/ordergate/ordergate/internal/marketplace/sandbox"
	"github.com/ordergate/ordergate/internal/marketplace/walmart"
	"github.com/ordergate/ordergate/internal/metrics"
	"github.com/ordergate/ordergate/internal/stock"
)

// stockTaskEvery is how long one run of the leader's stock task lasts: the
// keeper runs for that long, then the next run (on whichever replica leads
// then) takes over.
const stockTaskEvery = 5 * time.Minute

// stockParts is the stock ledger's wiring: built before the gate (which
// needs the marketplaces' storefronts and the task), finished once the
// store is open.
type stockParts struct {
	ledger    *inventory.Ledger
	pushers   map[string]*marketplace.Pusher
	feeds     []stock.Feed
	sandboxes map[string]*mpsandbox.Marketplace
	keeper    *stock.Keeper
}

// marketplaceStorefronts returns, for each marketplace whose orders are
// taken in, the silent storefront they arrive under.
func marketplaceStorefronts(cfg *config.Config) []gate.Storefront {
	var out []gate.Storefront
	for _, m := range cfg.Marketplaces {
		if m.TakeOrders {
			out = append(out, gate.Storefront{Name: m.Name, Kind: stock.KindMarketplace, ERP: m.ERP, Silent: true, SLA: config.DefaultConfirmationSLA})
		}
	}
	return out
}

// newStockParts builds the ledger, a connector and a pusher for each
// marketplace, and the sandboxes' order feeds.
func newStockParts(cfg *config.Config, rec *metrics.Recorder, g *gateway) (*stockParts, error) {
	if len(cfg.Marketplaces) == 0 {
		return nil, nil
	}
	lc := inventory.Config{ERPLag: cfg.Inventory.ERPLag, IdleAfter: cfg.Inventory.IdleAfter}
	for _, m := range cfg.Marketplaces {
		lc.Channels = append(lc.Channels, inventory.Channel{Name: m.Name, Buffer: m.Buffer, Cap: m.Cap, Share: m.Share, Lag: *m.Lag})
	}
	for _, b := range cfg.Inventory.Bundles {
		lc.Bundles = append(lc.Bundles, inventory.Bundle{SKU: b.SKU, Components: b.Components})
	}
	ledger, err := inventory.New(lc)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	p := &stockParts{ledger: ledger, pushers: map[string]*marketplace.Pusher{}, sandboxes: map[string]*mpsandbox.Marketplace{}}
	for i, m := range cfg.Marketplaces {
		conn, err := marketplaceConnector(m)
		if err != nil {
			return nil, fmt.Errorf("marketplaces[%d] (%s): %w", i, m.Name, err)
		}
		if sb, ok := conn.(*mpsandbox.Marketplace); ok {
			p.sandboxes[m.Name] = sb
			if m.TakeOrders {
				p.feeds = append(p.feeds, sandboxFeed{sb})
			}
		}
		log := g.log.With("marketplace", m.Name)
		var view marketplace.Stock = ledger
		if g.stockView != nil {
			view = g.stockView(ledger)
		}
		pusher, err := marketplace.NewPusher(marketplace.PusherConfig{
			Channel: m.Name, Stock: view, Connector: conn, Debounce: m.Debounce, ApplyDelay: m.ApplyDelay, Logger: log,
			OnRecord: func(r marketplace.Record) {
				rec.MarketplacePush(m.Name, string(r.Outcome))
				switch r.Outcome {
				case marketplace.Sent:
					log.Debug("stock pushed", "sku", r.SKU, "quantity", r.Quantity)
				case marketplace.Failed, marketplace.Rejected:
					log.Warn("stock push failed", "sku", r.SKU, "quantity", r.Quantity, "outcome", r.Outcome, "err", r.Err)
				}
			},
		})
		if err != nil {
			return nil, fmt.Errorf("marketplaces[%d] (%s): %w", i, m.Name, err)
		}
		p.pushers[m.Name] = pusher
	}
	return p, nil
}

// marketplaceConnector returns the marketplace's connector.
func marketplaceConnector(m config.Marketplace) (marketplace.Connector, error) {
	switch m.Kind {
	case config.MarketplaceSandbox:
		return mpsandbox.New(mpsandbox.Config{Name: m.Name}), nil
	case config.MarketplaceAmazon:
		a := m.Amazon
		return amazon.New(amazon.Config{Endpoint: a.Endpoint, TokenURL: a.TokenURL, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
			RefreshToken: a.RefreshToken, SellerID: a.SellerID, MarketplaceIDs: a.MarketplaceIDs, ProductType: a.ProductType})
	case config.MarketplaceWalmart:
		w := m.Walmart
		return walmart.New(walmart.Config{BaseURL: w.BaseURL, ClientID: w.ClientID, ClientSecret: w.ClientSecret})
	case config.MarketplaceEbay:
		e := m.Ebay
		return ebay.New(ebay.Config{BaseURL: e.BaseURL, ClientID: e.ClientID, ClientSecret: e.ClientSecret, RefreshToken: e.RefreshToken, Offers: e.Offers})
	}
	return nil, fmt.Errorf("unknown kind %q", m.Kind)
}

// stockTask is the leader's periodic task that runs the keeper; the keeper
// exists once the store is open, before any job runs.
func (g *gateway) stockTask() gate.Task {
	return gate.Task{Name: "stock", Interval: stockTaskEvery, Timeout: stockTaskEvery,
		Run: func(ctx context.Context) error { return g.stock.keeper.RunFor(ctx, stockTaskEvery) }}
}

// startKeeper builds the keeper once the store is open.
func (g *gateway) startKeeper() error {
	if g.stock == nil {
		return nil
	}
	inv := g.cfg.Inventory
	client := g.gate.ERPClientNamed(inv.ERP)
	if client == nil {
		return fmt.Errorf("inventory.erp: no erp named %q", inv.ERP)
	}
	skus := append([]string(nil), inv.SKUs...)
	for _, b := range inv.Bundles {
		for sku := range b.Components {
			skus = append(skus, sku)
		}
	}
	var feedPoll time.Duration
	for _, m := range g.cfg.Marketplaces {
		if m.TakeOrders && (feedPoll == 0 || m.FeedPoll < feedPoll) {
			feedPoll = m.FeedPoll
		}
	}
	k, err := stock.New(stock.Config{
		Ledger: g.stock.ledger, Store: g.store, ERP: client, SKUs: skus, ERPLag: inv.ERPLag,
		Pushers: g.stock.pushers, Feeds: g.stock.feeds, Ingest: g.gate.Ingest,
		Sync: inv.Sync, Refresh: inv.Refresh, FeedPoll: feedPoll, Logger: g.log,
	})
	if err != nil {
		return err
	}
	g.stock.keeper = k
	return nil
}

// sandboxFeed is a sandbox marketplace's orders as a keeper's feed.
type sandboxFeed struct{ m *mpsandbox.Marketplace }

func (f sandboxFeed) Channel() string { return f.m.Name() }

func (f sandboxFeed) Sales(_ context.Context, since time.Time) ([]stock.Sale, error) {
	orders := f.m.Orders(since)
	out := make([]stock.Sale, 0, len(orders))
	for _, o := range orders {
		body, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		out = append(out, stock.Sale{ID: o.ID, PlacedAt: o.PlacedAt, Body: body,
			Lines: []inventory.Line{{SKU: o.SKU, Qty: o.Quantity}}})
	}
	return out, nil
}
