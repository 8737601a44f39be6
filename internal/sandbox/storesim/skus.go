package storesim

// DefaultSKUs returns the SKUs of the default catalogue, so that a sandbox
// ERP can be stocked with exactly what the simulated shop sells (and so
// reject the unknown lines UnknownSKURate adds).
func DefaultSKUs() []string { return defaultSKUs() }
