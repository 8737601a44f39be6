package admin

// The GraphQL documents this client sends. Every operation is named, and
// every argument that varies is a variable, never spliced into the text.

// Page sizes. orders(first: 50) { lineItems(first: 250) } would ask for
// roughly 50 × 250 line items, far above the 1,000-point single-query limit,
// so a page holds ordersPerPage orders with their first linesPerOrder lines,
// and the rest of a longer order's lines are fetched order by order,
// linesPerPage at a time. The sizes are variables: on MAX_COST_EXCEEDED the
// client halves them and asks again.
const (
	ordersPerPage = 20
	linesPerOrder = 10
	linesPerPage  = 250
)

const lineItemFields = `id sku title name quantity requiresShipping originalUnitPriceSet { shopMoney { amount } }`

const ordersQuery = `query OrdersSince($first: Int!, $cursor: String, $search: String!, $lines: Int!) {
  orders(first: $first, after: $cursor, sortKey: UPDATED_AT, query: $search) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name email phone currencyCode
      createdAt updatedAt cancelledAt cancelReason
      totalPriceSet { shopMoney { amount } }
      customer {
        firstName lastName
        defaultEmailAddress { emailAddress }
        defaultPhoneNumber { phoneNumber }
      }
      billingAddress { name phone }
      shippingAddress {
        name company address1 address2 city province provinceCode
        zip country countryCodeV2 phone
      }
      lineItems(first: $lines) {
        pageInfo { hasNextPage endCursor }
        nodes { ` + lineItemFields + ` }
      }
    }
  }
}`

const orderLinesQuery = `query OrderLineItems($id: ID!, $cursor: String, $lines: Int!) {
  order(id: $id) {
    lineItems(first: $lines, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { ` + lineItemFields + ` }
    }
  }
}`

const subscriptionsQuery = `query WebhookSubscriptions($first: Int!, $cursor: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $cursor, topics: $topics) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id topic format
        endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
      }
    }
  }
}`

const subscriptionCreateMutation = `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription {
      id topic format
      endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
    }
    userErrors { field message }
  }
}`

const subscriptionsPerPage = 100

// Expected requested costs, by Shopify's published table (scalar and enum 0,
// object 1, mutation 10, a connection "sized by first and last") with a
// connection taken as 2 + first × (1 + what each node selects) — an
// inference that over-estimates rather than under-. The client waits for
// this much in the bucket before sending; Shopify's own figure, from the
// reply, corrects the bucket afterwards.

// ordersCost: per order, the Order itself, totalPriceSet and its shopMoney,
// customer with its two default contacts, two addresses (8), and the
// lineItems connection. The shipping address's fields and a line's
// requiresShipping are scalars and an enum (countryCodeV2), which cost
// nothing.
func ordersCost(first, lines int) int { return 2 + first*(8+linesCost(lines)) }

// linesCost is one lineItems connection: per line the LineItem and its
// originalUnitPriceSet and shopMoney.
func linesCost(lines int) int { return 2 + lines*3 }

// orderLinesCost adds the Order object the connection hangs off.
func orderLinesCost(lines int) int { return 1 + linesCost(lines) }

// subscriptionsCost: per subscription, the edge's node and its endpoint.
func subscriptionsCost(first int) int { return 2 + first*2 }

const mutationCost = 10
