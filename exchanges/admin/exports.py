"""Exports of applications as CSV and XLSX, safe from formula injection, in the audit log."""

PROGRAMME_ACTIONS: list = []
APPLICATION_ACTIONS: list = []
