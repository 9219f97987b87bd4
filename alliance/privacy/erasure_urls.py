"""Filled in by the export and erasure work of issue 14."""

urlpatterns: list = []
