"""The exchanges' admin, one module per page family; importing registers them."""

from exchanges.admin import applications, programmes, reviews

__all__ = ["applications", "programmes", "reviews"]
