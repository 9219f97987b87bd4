"""The partners' admin: keys, the feed and the ledger, webhooks (one module each)."""

from exchanges.partners.admin import keys, shares, webhooks

__all__ = ["keys", "shares", "webhooks"]
