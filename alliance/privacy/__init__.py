"""Founders' rights over their personal data: export, erasure, consent, retention (issue 14)."""
