"""`manage.py runserver` for development: links in emails point at the address it serves.

Installed before whitenoise's runserver (whose command it extends), so its command wins.
"""
