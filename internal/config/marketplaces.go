package config

import (
	"maps"
	"slices"
	"time"
)

// The marketplace kinds.
const (
	MarketplaceSandbox = "sandbox"
	MarketplaceAmazon  = "amazon"
	MarketplaceWalmart = "walmart"
	MarketplaceEbay    = "ebay"
)

// Defaults of the stock keeper.
const (
	DefaultInventorySync    = time.Second
	DefaultInventoryRefresh = time.Minute
	DefaultMarketplaceLag   = 30 * time.Second
	DefaultFeedPoll         = 5 * time.Second
)

// Inventory is the stock ledger: which ERP's availability the marketplaces
// are told, less the orders in flight. It does nothing without
// Marketplaces.
type Inventory struct {
	// ERP names the ERP whose availability is read. Default: the only ERP
	// configured (required when there are several).
	ERP string `yaml:"erp"`
	// SKUs are read from the ERP at every refresh, besides every SKU of an
	// order in flight. List every SKU the marketplaces sell, and every
	// component of a bundle.
	SKUs []string `yaml:"skus"`
	// Bundles are SKUs sold as kits of other SKUs: a bundle's availability
	// is the least of its components'.
	Bundles []InventoryBundle `yaml:"bundles"`
	// Refresh is how often the ERP's availability is read; it is also read
	// soon after each acknowledgment. Default 1m.
	Refresh time.Duration `yaml:"refresh"`
	// Sync is how often the orders in flight are read from the database.
	// Default 1s.
	Sync time.Duration `yaml:"sync"`
	// ERPLag is how long after acknowledging an order the ERP's
	// availability may still not show it. Default 0.
	ERPLag time.Duration `yaml:"erp_lag"`
	// IdleAfter is how long a marketplace may show stock of a SKU without
	// selling any before the ledger takes it back for a marketplace that
	// sold out its share of it. Default 10m (inventory.DefaultIdleAfter).
	IdleAfter time.Duration `yaml:"idle_after"`
}

// InventoryBundle is one kit and its components.
type InventoryBundle struct {
	SKU string `yaml:"sku"`
	// Components maps each component SKU to the units of it in one kit.
	Components map[string]int `yaml:"components"`
}

// Marketplace is one marketplace account whose listing quantities the
// gateway sets.
type Marketplace struct {
	// Name names the channel in logs, metrics and the ledger; a sandbox's
	// orders come in as orders of a storefront of this name. Required and
	// unique. A marketplace named like a storefront is that storefront's
	// own listings: its webhook orders are its sales, held against it.
	Name string `yaml:"name"`
	// Kind is sandbox, amazon, walmart or ebay.
	Kind string `yaml:"kind"`
	// Buffer is the units of every SKU held back from this channel.
	Buffer int `yaml:"buffer"`
	// Cap is the most it is told of one SKU; 0 means no cap.
	Cap int `yaml:"cap"`
	// Share is its weight when a SKU's stock is split among the
	// marketplaces: each is told at most its share. Default 1.
	Share int `yaml:"share"`
	// Lag is how late one of its sales may reach the gateway: until a push
	// is that old, what the channel was told before it still counts
	// against the others. Default 30s.
	Lag *time.Duration `yaml:"lag"`
	// Debounce gathers a SKU's changes for this long before pushing;
	// default the pusher's (2s, or 30s where revisions are limited).
	Debounce time.Duration `yaml:"debounce"`
	// ApplyDelay is how long after answering the marketplace may still
	// sell against the old figure (Amazon applies a listings patch
	// minutes after accepting it); default 0.
	ApplyDelay time.Duration `yaml:"apply_delay"`
	// TakeOrders takes the marketplace's orders in through the gate, so
	// that they reach the ERP and count as in flight everywhere (sandbox
	// only: no real marketplace's order API is built yet).
	TakeOrders bool `yaml:"take_orders"`
	// ERP is where its orders go, with TakeOrders; default the inventory
	// ERP. Notifier is not needed: marketplaces tell their own buyers.
	ERP string `yaml:"erp"`
	// FeedPoll is how often its orders are read, with TakeOrders; default 5s.
	FeedPoll time.Duration `yaml:"feed_poll"`

	// Credentials and endpoints, for the kind in use.
	Amazon  *AmazonMarketplace  `yaml:"amazon"`
	Walmart *WalmartMarketplace `yaml:"walmart"`
	Ebay    *EbayMarketplace    `yaml:"ebay"`
}

// AmazonMarketplace is an Amazon seller account (Listings Items API).
type AmazonMarketplace struct {
	Endpoint       string   `yaml:"endpoint"`
	TokenURL       string   `yaml:"token_url"`
	ClientID       string   `yaml:"client_id"`
	ClientSecret   string   `yaml:"client_secret"`
	RefreshToken   string   `yaml:"refresh_token"`
	SellerID       string   `yaml:"seller_id"`
	MarketplaceIDs []string `yaml:"marketplace_ids"`
	ProductType    string   `yaml:"product_type"`
}

// WalmartMarketplace is a Walmart seller account (Marketplace API).
type WalmartMarketplace struct {
	BaseURL      string `yaml:"base_url"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
}

// EbayMarketplace is an eBay seller account (Inventory API).
type EbayMarketplace struct {
	BaseURL      string              `yaml:"base_url"`
	ClientID     string              `yaml:"client_id"`
	ClientSecret string              `yaml:"client_secret"`
	RefreshToken string              `yaml:"refresh_token"`
	Offers       map[string][]string `yaml:"offers"`
}

func (c *Config) applyMarketplaceDefaults() {
	if len(c.Marketplaces) == 0 {
		return
	}
	if c.Inventory.ERP == "" && len(c.ERPs) == 1 {
		c.Inventory.ERP = c.ERPs[0].Name
	}
	setDefault(&c.Inventory.Refresh, DefaultInventoryRefresh)
	setDefault(&c.Inventory.Sync, DefaultInventorySync)
	for i := range c.Marketplaces {
		m := &c.Marketplaces[i]
		if m.Lag == nil {
			lag := DefaultMarketplaceLag
			m.Lag = &lag
		}
		setDefault(&m.ERP, c.Inventory.ERP)
		setDefault(&m.FeedPoll, DefaultFeedPoll)
	}
}

func (c *Config) validateMarketplaces(v *validator) {
	if len(c.Marketplaces) == 0 {
		return
	}
	inv := &c.Inventory
	switch {
	case inv.ERP == "":
		v.add("inventory.erp", "required with several erps: name the one whose availability the marketplaces are told")
	case c.ERP(inv.ERP) == nil:
		v.add("inventory.erp", "no erp named %q", inv.ERP)
	}
	positive(v, "inventory.refresh", inv.Refresh)
	positive(v, "inventory.sync", inv.Sync)
	notNegative(v, "inventory.erp_lag", inv.ERPLag)
	notNegative(v, "inventory.idle_after", inv.IdleAfter)
	for i, s := range inv.SKUs {
		if s == "" {
			v.add(index("inventory.skus", i), "empty sku")
		}
	}
	for i, b := range inv.Bundles {
		p := index("inventory.bundles", i)
		if b.SKU == "" {
			v.add(field(p, "sku"), "required")
		}
		if len(b.Components) == 0 {
			v.add(field(p, "components"), "required: the SKUs in one kit and how many of each")
		}
		for _, sku := range slices.Sorted(maps.Keys(b.Components)) {
			if b.Components[sku] <= 0 {
				v.add(key(field(p, "components"), sku), "units per kit must be positive, got %d", b.Components[sku])
			}
		}
	}
	shops := map[string]bool{}
	for _, s := range c.Storefronts {
		shops[s.Name] = true
	}
	names := map[string]bool{}
	for i := range c.Marketplaces {
		m := &c.Marketplaces[i]
		p := index("marketplaces", i)
		switch {
		case m.Name == "":
			v.add(field(p, "name"), "required")
		case names[m.Name]:
			v.add(field(p, "name"), "%q names two marketplaces", m.Name)
		case shops[m.Name] && m.TakeOrders:
			v.add(field(p, "take_orders"), "%q is a storefront: its orders come by its webhooks, not a feed", m.Name)
		}
		names[m.Name] = true
		if m.Buffer < 0 {
			v.add(field(p, "buffer"), "must not be negative, got %d", m.Buffer)
		}
		if m.Cap < 0 {
			v.add(field(p, "cap"), "must not be negative, got %d", m.Cap)
		}
		if m.Share < 0 {
			v.add(field(p, "share"), "must not be negative, got %d", m.Share)
		}
		notNegative(v, field(p, "lag"), *m.Lag)
		notNegative(v, field(p, "debounce"), m.Debounce)
		notNegative(v, field(p, "apply_delay"), m.ApplyDelay)
		kinds := map[string]bool{MarketplaceAmazon: m.Amazon != nil, MarketplaceWalmart: m.Walmart != nil, MarketplaceEbay: m.Ebay != nil}
		switch m.Kind {
		case MarketplaceSandbox, MarketplaceAmazon, MarketplaceWalmart, MarketplaceEbay:
			if m.Kind != MarketplaceSandbox && !kinds[m.Kind] {
				v.add(field(p, m.Kind), "required for kind %s: the account's credentials", m.Kind)
			}
		case "":
			v.add(field(p, "kind"), "required: sandbox, amazon, walmart or ebay")
		default:
			v.add(field(p, "kind"), "unknown kind %q: want sandbox, amazon, walmart or ebay", m.Kind)
		}
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			if kinds[k] && k != m.Kind {
				v.add(field(p, k), "set, but the kind is %s", m.Kind)
			}
		}
		if m.TakeOrders {
			if m.Kind != MarketplaceSandbox {
				v.add(field(p, "take_orders"), "only the sandbox's orders can be taken in yet; %s's order API is not built", m.Kind)
			}
			if c.ERP(m.ERP) == nil {
				v.add(field(p, "erp"), "no erp named %q", m.ERP)
			}
			positive(v, field(p, "feed_poll"), m.FeedPoll)
		}
	}
}

// redactMarketplaces replaces the marketplaces' credentials, in a copy
// that cloneMarketplaces made deep.
func (c *Config) redactMarketplaces() {
	for i := range c.Marketplaces {
		m := &c.Marketplaces[i]
		if a := m.Amazon; a != nil {
			redactOne(&a.ClientSecret)
			redactOne(&a.RefreshToken)
		}
		if w := m.Walmart; w != nil {
			redactOne(&w.ClientSecret)
		}
		if e := m.Ebay; e != nil {
			redactOne(&e.ClientSecret)
			redactOne(&e.RefreshToken)
		}
	}
}

// cloneMarketplaces deep-copies what clone's shallow copy shares.
func (d *Config) cloneMarketplaces() {
	d.Inventory.SKUs = slices.Clone(d.Inventory.SKUs)
	d.Inventory.Bundles = slices.Clone(d.Inventory.Bundles)
	for i := range d.Inventory.Bundles {
		d.Inventory.Bundles[i].Components = maps.Clone(d.Inventory.Bundles[i].Components)
	}
	d.Marketplaces = slices.Clone(d.Marketplaces)
	for i := range d.Marketplaces {
		m := &d.Marketplaces[i]
		if m.Lag != nil {
			lag := *m.Lag
			m.Lag = &lag
		}
		if m.Amazon != nil {
			cp := *m.Amazon
			cp.MarketplaceIDs = slices.Clone(cp.MarketplaceIDs)
			m.Amazon = &cp
		}
		if m.Walmart != nil {
			cp := *m.Walmart
			m.Walmart = &cp
		}
		if m.Ebay != nil {
			cp := *m.Ebay
			cp.Offers = maps.Clone(cp.Offers)
			m.Ebay = &cp
		}
	}
}
