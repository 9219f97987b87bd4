"""Partner organisations' side of exchanges: API keys, what each may see, the sync feed and
its tombstones, the data-access ledger (and, later, recommendations and webhooks)."""
