package config

import "time"

// Config is the whole gateway configuration, as read from one YAML file.
// A zero or omitted field means its documented default; Parse and Load fill
// the defaults in, so a Config they return holds the values in effect.
type Config struct {
	// Database is where orders, timelines and jobs live: sqlite:PATH or
	// sqlite://PATH (a file, created if missing), or a postgres:// or
	// postgresql:// DSN, which several replicas can share. Required.
	Database string `yaml:"database"`
	// Listen is the host:port the HTTP server binds: webhooks, the ERP
	// callbacks, the admin API, the dashboard and /metrics. An empty host
	// (":8080") means every interface. Default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// MaxBodyBytes is the largest webhook or API request body accepted, in
	// bytes; larger requests are refused with 413. Default 1048576 (1 MiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// AdminTokens are the bearer tokens accepted by the admin API. May be
	// empty; the caller adds $ORDERGATE_ADMIN_TOKEN when it is set. Write
	// them as ${NAME} references rather than literally.
	AdminTokens []string `yaml:"admin_tokens"`
	// ReadOnlyTokens are bearer tokens that may read everything under
	// /api/v1 and the dashboard but take no action: every POST is refused
	// with 403. May be empty (the default); the caller adds
	// $ORDERGATE_READONLY_TOKEN when it is set. Write them as ${NAME}
	// references rather than literally.
	ReadOnlyTokens []string `yaml:"read_only_tokens"`
	// LogLevel is the least severe level logged: debug, info, warn or error.
	// Default info.
	LogLevel string `yaml:"log_level"`

	// Storefronts are the shops whose webhooks the gateway accepts. Each one
	// is served at POST /webhooks/{kind}/{name}.
	Storefronts []Storefront `yaml:"storefronts"`
	// ERPs are the ERPs orders are handed to, referred to by name from
	// Storefronts.
	ERPs []ERP `yaml:"erps"`
	// Notifiers are the ways customer messages are sent, referred to by name
	// from Storefronts.
	Notifiers []Notifier `yaml:"notifiers"`

	// Retry paces the retries of ERP calls and mail sends.
	Retry Retry `yaml:"retry"`
	// Jobs bounds how long a background job may run.
	Jobs Jobs `yaml:"jobs"`
	// Alerts is where the gateway announces orders past their SLA.
	Alerts Alerts `yaml:"alerts"`
	// Reconcile is the reconciliation loop.
	Reconcile Reconcile `yaml:"reconcile"`
	// Limits are the webhook edge's replay window, rate limit and load
	// shedding.
	Limits Limits `yaml:"limits"`
	// Inventory is the stock ledger the marketplaces are told from.
	Inventory Inventory `yaml:"inventory"`
	// Marketplaces are the marketplace accounts whose listing quantities
	// the gateway sets from the ledger.
	Marketplaces []Marketplace `yaml:"marketplaces"`
	// PublicURL is the gateway's address as the storefronts reach it, e.g.
	// https://orders.example.com: the webhook address of a storefront is
	// PublicURL + /webhooks/{kind}/{name}. With it, each shopify storefront
	// that has api.access_token gets its orders/* webhook subscriptions
	// checked at start and every hour, and re-created when missing.
	// Optional.
	PublicURL string `yaml:"public_url"`
}

// Reconcile is the loop that compares the storefronts, the gateway and the
// ERPs, and backfills orders whose webhooks were lost. It runs on one
// replica at a time; `ordergate reconcile` runs it on demand.
type Reconcile struct {
	// Interval is how often it runs. 0s turns the loop off. Default 15m.
	Interval *time.Duration `yaml:"interval"`
	// Window is how far back each run looks: orders changed in the
	// storefront, or received by the gateway, within it are compared. At
	// least the interval, so that runs overlap. Default 2h.
	Window time.Duration `yaml:"window"`
	// MaxERPChecks bounds the ERP lookups of one run, per storefront, so
	// that a run does not spend the ERP's budget. Default 1000.
	MaxERPChecks int `yaml:"max_erp_checks"`
}

// Alerts is the operators' alert hook.
type Alerts struct {
	// WebhookURL, if set, receives a POST of JSON for each order that goes
	// overdue, once per order, with a Slack-compatible "text" field (so a
	// Slack or Mattermost incoming-webhook URL works as it is). Optional;
	// write it as a ${NAME} reference if it carries a secret.
	WebhookURL string `yaml:"webhook_url"`
	// Timeout bounds one POST. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
}

// Storefront is one shop whose order webhooks the gateway accepts.
type Storefront struct {
	// Name identifies the storefront in URLs, logs and metrics: lower-case
	// letters, digits, '-' and '_'. Required, unique among storefronts.
	Name string `yaml:"name"`
	// Kind is the storefront platform: shopify, woocommerce or
	// bigcommerce. Required.
	Kind string `yaml:"kind"`
	// WebhookSecrets are the secrets deliveries are authenticated with; a
	// delivery that any one of them verifies is accepted, so a secret can be
	// rotated by listing the new one next to the old. For shopify, the
	// app's client secret (X-Shopify-Hmac-Sha256); for woocommerce, each
	// webhook's secret (X-WC-Webhook-Signature); for bigcommerce, the value
	// of the custom header set on the hook (see auth_header), since
	// BigCommerce signs nothing. Required, at least one, none empty. Write
	// them as ${NAME} references.
	WebhookSecrets []string `yaml:"webhook_secrets"`
	// AuthHeader is the custom header a bigcommerce hook is created with
	// (the hook's "headers" object), whose value must be one of
	// webhook_secrets. Only for bigcommerce. Default X-Ordergate-Token.
	AuthHeader string `yaml:"auth_header"`
	// ShopDomain, when set, is the only shop whose deliveries are accepted:
	// the X-Shopify-Shop-Domain header, e.g. example.myshopify.com;
	// deliveries from any other shop are refused. It is also the shop the
	// Admin API is called on. Compared case-insensitively; stored in lower
	// case. Only for shopify; required with api.access_token.
	ShopDomain string `yaml:"shop_domain"`
	// API is how the gateway reads the storefront's own API: to fetch each
	// BigCommerce order (its callbacks carry only the order id), to list
	// orders modified since a time (backfill and reconciliation), and to
	// check and re-create Shopify's webhook subscriptions. Required for
	// bigcommerce; optional for shopify and woocommerce.
	API StorefrontAPI `yaml:"api"`
	// ERP is the name of the erps entry this storefront's orders go to.
	// Required.
	ERP string `yaml:"erp"`
	// Notifier is the name of the notifiers entry that sends this
	// storefront's customer messages. Required.
	Notifier string `yaml:"notifier"`
	// Mode is when the customer hears from the gateway: gated (the
	// confirmation only after the ERP has acknowledged the order) or
	// ack_gated (also "order received, confirmation pending" as soon as the
	// order is stored) or shadow (the legacy flow keeps every order: the
	// gateway sends nothing to the ERP or the customer, watches the ERP for
	// each order and records what it would have done; see
	// docs/CUTOVER.md). An operator can change it at run time (ordergate
	// cutover set), which overrides this for new orders. Default gated.
	Mode string `yaml:"mode"`
	// RolloutPercent is the share of new orders, 0 to 100, picked by a
	// stable hash of the order id, that the gateway handles for real in
	// gated or ack_gated mode; the rest stay with the legacy flow and are
	// shadowed. Changeable at run time like mode. Default 100.
	RolloutPercent *int `yaml:"rollout_percent"`
	// GatedTag is the tag ordergate adds, through the Admin API
	// (api.access_token, with the write_orders scope), to each Shopify
	// order it handles for real, so that the legacy connector can skip
	// those orders while rollout_percent is below 100 (docs/CUTOVER.md).
	// An empty string adds none; so does a storefront without an access
	// token. Only for shopify. Default ordergate-gated.
	GatedTag *string `yaml:"gated_tag"`
	// Shortfall is what happens when the ERP accepts less than was ordered
	// (a line backordered, or a SKU it does not know while it takes the
	// rest): reject (tell the customer there is a problem and hold the
	// order for an operator, who releases or cancels it) or backorder
	// (confirm, saying which lines ship later). Default reject.
	Shortfall string `yaml:"shortfall"`
	// ConfirmationSLA is how long after receipt an order may stay
	// unsettled; past it the order is overdue: counted, listed in the API
	// and announced once to alerts.webhook_url. 0s turns it off.
	// Default 15m.
	ConfirmationSLA *time.Duration `yaml:"confirmation_sla"`
	// LeadTime gives the expected ship date (acknowledgment + lead_time)
	// when the ERP gives none. Default 0: say none.
	LeadTime time.Duration `yaml:"lead_time"`
	// StillWorkingAfter, in ack_gated mode, sends the customer "we are
	// still working on your order" when the ERP has not acknowledged it that
	// long after receipt. Default 0: never.
	StillWorkingAfter time.Duration `yaml:"still_working_after"`
}

// StorefrontAPI holds a storefront's API address and credentials; which
// fields apply depends on the storefront's kind. Write secrets as ${NAME}
// references.
type StorefrontAPI struct {
	// BaseURL is, for woocommerce, the WordPress site address (https; the
	// REST API is under /wp-json/wc/v3), required with the keys; for
	// bigcommerce, a replacement for https://api.bigcommerce.com/stores/
	// {store_hash}; for shopify, a replacement for the Admin GraphQL
	// endpoint https://{shop_domain}/admin/api/{api_version}/graphql.json.
	BaseURL string `yaml:"base_url"`
	// AccessToken is the Shopify Admin API access token of the app
	// installed on the shop (scope read_orders; read_all_orders to backfill
	// past 60 days), or the BigCommerce store-level API account's token
	// (scope Orders: read-only), sent as X-Auth-Token. Required for
	// bigcommerce.
	AccessToken string `yaml:"access_token"`
	// APIVersion is the Shopify Admin API version, YYYY-MM, 2025-04 or
	// later. Only for shopify. Default 2025-07.
	APIVersion string `yaml:"api_version"`
	// StoreHash is the BigCommerce store's permanent id. Only for
	// bigcommerce; required unless base_url is set.
	StoreHash string `yaml:"store_hash"`
	// ConsumerKey and ConsumerSecret are a WooCommerce REST API key
	// (ck_…, cs_…) with Read permission. Only for woocommerce; set both
	// with base_url, or none.
	ConsumerKey    string `yaml:"consumer_key"`
	ConsumerSecret string `yaml:"consumer_secret"`
	// Timeout bounds one API request. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
}

// ERP is one ERP that orders are handed to.
type ERP struct {
	// Name identifies the ERP in URLs (POST /erp/{name}/ack), logs and
	// metrics: lower-case letters, digits, '-' and '_'. Required, unique
	// among erps.
	Name string `yaml:"name"`
	// Kind is the ERP product: netsuite, cin7 (Cin7 Core), fishbowl
	// (Fishbowl Advanced) or sandbox (a simulated ERP that needs no
	// account). Required.
	Kind string `yaml:"kind"`
	// BaseURL overrides the ERP's API address (http or https). netsuite
	// derives it from Account; cin7 defaults to Cin7 Core's public API;
	// fishbowl requires it (the server's address and API port). For kind
	// sandbox an empty BaseURL means the gateway runs the sandbox ERP in
	// process.
	BaseURL string `yaml:"base_url"`
	// Account is the NetSuite account id, e.g. "1234567" or "1234567_SB1".
	// Required for netsuite; only for netsuite.
	Account string `yaml:"account"`
	// Auth is how the gateway proves itself to the ERP; which fields apply
	// depends on Kind. Required for netsuite, cin7 and fishbowl.
	Auth ERPAuth `yaml:"auth"`

	// CustomerID is the internal id of the NetSuite customer every sales
	// order is entered for. Optional: without it each order's customer is
	// found in NetSuite (by our external id, then by e-mail) or created.
	CustomerID string `yaml:"customer_id"`
	// SubsidiaryID is the NetSuite subsidiary new customers belong to;
	// OneWorld accounts need it when customer_id is not set. Optional.
	SubsidiaryID string `yaml:"subsidiary_id"`
	// LocationID is the NetSuite location the orders ship from. Optional.
	LocationID string `yaml:"location_id"`
	// PendingApproval enters NetSuite orders as Pending Approval, for a
	// person to approve; the acknowledgment then waits for the approval.
	PendingApproval bool `yaml:"pending_approval"`
	// Async sends NetSuite creates with Prefer: respond-async and an
	// idempotency key, polling the job every AsyncPollInterval for at most
	// AsyncWait.
	Async             bool          `yaml:"async"`
	AsyncPollInterval time.Duration `yaml:"async_poll_interval"`
	AsyncWait         time.Duration `yaml:"async_wait"`

	// Customer is the Cin7 customer every sale is made for (the order's
	// customer is its contact). Optional.
	Customer string `yaml:"customer"`
	// TaxRule is the Cin7 tax rule put on each sale and line. Optional.
	TaxRule string `yaml:"tax_rule"`
	// CallsPerMinute keeps Cin7 calls under its 60-a-minute limit per API
	// application; give each replica its share. Default 55.
	CallsPerMinute int `yaml:"calls_per_minute"`

	// CustomerName is the Fishbowl customer every order is entered for.
	// Optional: by default each order's customer name.
	CustomerName string `yaml:"customer_name"`
	// IdleLogout logs the Fishbowl session out after this long unused, to
	// free its licence seat. Default 60s.
	IdleLogout time.Duration `yaml:"idle_logout"`

	// MaxConcurrency is the most calls to this ERP in flight at once from
	// this gateway, 1 to 1000: new orders go before updates before stock
	// queries. NetSuite's limit is account-wide and shared by every
	// integration: give the gateway its share, divided among replicas.
	// Default 8.
	MaxConcurrency int `yaml:"max_concurrency"`
	// Timeout bounds one call to the ERP; a create that times out is in
	// doubt and is looked up before it is retried. Default 30s.
	Timeout time.Duration `yaml:"timeout"`
	// CallbackSecrets are the secrets an ERP's acknowledgment callbacks
	// (POST /erp/{name}/ack) are signed with; a callback signed with any of
	// them is accepted, so a secret can be rotated. Empty: callbacks are
	// refused, and acknowledgments come in the create's reply or by
	// polling. Write them as ${NAME} references.
	CallbackSecrets []string `yaml:"callback_secrets"`
	// Sandbox shapes the simulated ERP. Only for kind sandbox; when omitted
	// every field takes its default.
	Sandbox *Sandbox `yaml:"sandbox,omitempty"`
}

// ERPAuth holds an ERP's credentials. Write secrets as ${NAME} references.
type ERPAuth struct {
	// Method is how NetSuite is signed in to: oauth2_m2m (OAuth 2.0 client
	// credentials with a certificate) or tba (token-based authentication).
	Method string `yaml:"method"`
	// For oauth2_m2m: the integration record's client id, the certificate
	// id from the OAuth 2.0 Client Credentials setup, and the PEM private
	// key of that certificate (RSA ≥ 2048 bits, or EC P-256/384/521).
	ClientID       string `yaml:"client_id"`
	CertificateID  string `yaml:"certificate_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
	// Scopes, comma-separated. Default rest_webservices.
	Scopes string `yaml:"scopes"`
	// For tba: the integration's consumer key and secret and the access
	// token's id and secret.
	ConsumerKey    string `yaml:"consumer_key"`
	ConsumerSecret string `yaml:"consumer_secret"`
	TokenID        string `yaml:"token_id"`
	TokenSecret    string `yaml:"token_secret"`

	// Cin7 Core: the Account ID and Application Key from Integrations › API.
	AccountID      string `yaml:"account_id"`
	ApplicationKey string `yaml:"application_key"`

	// Fishbowl: an integration user without MFA, and how the app is
	// registered (approve it once in Fishbowl's Integrations settings).
	Username       string `yaml:"username"`
	Password       string `yaml:"password"`
	AppName        string `yaml:"app_name"`
	AppDescription string `yaml:"app_description"`
	AppID          string `yaml:"app_id"`
}

// Sandbox shapes the behaviour of the simulated ERP (kind sandbox), for
// demos, tests and load runs. The same Seed gives the same run.
type Sandbox struct {
	// Stock is the available quantity per SKU, each at least 0. A SKU not
	// listed here (and not in UnknownSKUs) has DefaultStock.
	Stock map[string]int `yaml:"stock"`
	// DefaultStock is the available quantity of every SKU not in Stock, at
	// least 0. Default 1000000; because zero means the default, put a SKU in
	// Stock with 0 to make it out of stock.
	DefaultStock int `yaml:"default_stock"`
	// UnknownSKUs are SKUs the ERP does not know: orders for them are
	// rejected as invalid.
	UnknownSKUs []string `yaml:"unknown_skus"`
	// Latency is how long each call takes.
	Latency Latency `yaml:"latency"`
	// Faults are the failures the sandbox injects.
	Faults Faults `yaml:"faults"`
	// AckDelay is how long after a create the ERP acknowledges the order.
	// Zero means the create's reply is the acknowledgment; otherwise the
	// order stays pending until the delay has passed. Default 0.
	AckDelay time.Duration `yaml:"ack_delay"`
	// Seed seeds the random choices of latency and faults; 0 is a seed like
	// any other. Default 0.
	Seed int64 `yaml:"seed"`
	// Backorder records an order the stock cannot cover with its short
	// lines backordered, instead of rejecting it.
	Backorder bool `yaml:"backorder"`
	// PartialUnknown records an order with SKUs the ERP does not know
	// without those lines, instead of rejecting it.
	PartialUnknown bool `yaml:"partial_unknown"`
	// Callback makes the in-process sandbox announce acknowledgments to
	// this gateway's POST /erp/{name}/ack, signed with the ERP's first
	// callback secret (required then), instead of waiting to be polled.
	Callback bool `yaml:"callback"`
	// ShipDays is how many days after the order the sandbox's ship date
	// falls; -1 gives none (so lead_time applies). Default 2.
	ShipDays int `yaml:"ship_days"`
}

// Latency is the distribution of the sandbox ERP's call durations, given by
// three points: Min ≤ Median ≤ P99. All zero means no added latency.
type Latency struct {
	// Min is the shortest call. Default 0.
	Min time.Duration `yaml:"min"`
	// Median is the typical call. Default Min.
	Median time.Duration `yaml:"median"`
	// P99 is the call that 99% of calls beat. Default Median.
	P99 time.Duration `yaml:"p99"`
}

// Faults are the failure rates the sandbox ERP injects, each the share of
// calls, from 0 to 1, that fail that way; together they are at most 1.
type Faults struct {
	// ErrorRate is the share of calls answered with a retryable error.
	ErrorRate float64 `yaml:"error_rate"`
	// TimeoutRate is the share of calls that hang until the caller's timeout.
	// A create that times out is in doubt.
	TimeoutRate float64 `yaml:"timeout_rate"`
	// InDoubtRate is the share of creates that are recorded but whose reply
	// is lost, so the caller cannot tell whether they succeeded.
	InDoubtRate float64 `yaml:"in_doubt_rate"`
	// ThrottleRate is the share of calls refused with 429 and RetryAfter.
	ThrottleRate float64 `yaml:"throttle_rate"`
	// RetryAfter is the wait a throttled call is told to observe. Default 1s.
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Notifier is one way of sending customer messages.
type Notifier struct {
	// Name identifies the notifier in logs and metrics: lower-case letters,
	// digits, '-' and '_'. Required, unique among notifiers.
	Name string `yaml:"name"`
	// Kind is how messages are sent: smtp. webhook is recognised but not
	// supported yet. Required.
	Kind string `yaml:"kind"`
	// Addr is the SMTP server's host:port. Required for smtp.
	Addr string `yaml:"addr"`
	// From is the sender address, e.g. orders@example.com or
	// "Example Shop <orders@example.com>". Required.
	From string `yaml:"from"`
	// Username is the SMTP login. Set it together with Password, or neither.
	Username string `yaml:"username"`
	// Password is the SMTP password. Set it together with Username, or
	// neither; write it as a ${NAME} reference. It is refused with TLS none
	// unless Addr is a loopback address, so it is never sent in clear over a
	// network.
	Password string `yaml:"password"`
	// TLS is how the connection is secured: none, starttls (upgrade a plain
	// connection, typically port 587) or tls (implicit TLS, typically port
	// 465). Default starttls.
	TLS string `yaml:"tls"`
	// Brand is the shop name shown in messages. Empty means the name of the
	// first storefront that sends through this notifier; give each
	// storefront its own notifier to show different names.
	Brand string `yaml:"brand"`
}

// Retry paces retries of ERP calls and mail sends: the wait starts at
// Initial and doubles up to Max, for at most MaxAttempts attempts, after
// which the order needs attention.
type Retry struct {
	// Initial is the wait before the first retry. Default 1s.
	Initial time.Duration `yaml:"initial"`
	// Max is the longest wait between attempts, at least Initial.
	// Default 5m.
	Max time.Duration `yaml:"max"`
	// MaxAttempts is the most attempts of one step. Default 100.
	MaxAttempts int `yaml:"max_attempts"`
}

// Jobs bounds background jobs.
type Jobs struct {
	// Timeout bounds one run of one job. Default 2m.
	Timeout time.Duration `yaml:"timeout"`
	// RescueAfter is how long a job may stay running before it is presumed
	// lost (its worker crashed) and is run again. Must exceed Timeout.
	// Default 10m.
	RescueAfter time.Duration `yaml:"rescue_after"`
	// SweepInterval is how often the SLA sweep runs: on one replica at a
	// time (the elected leader's schedule), it marks overdue every order
	// past its storefront's confirmation_sla that nothing marked yet, the
	// safety net behind each order's own SLA check. At least 1s.
	// Default 1m.
	SweepInterval time.Duration `yaml:"sweep_interval"`
}
