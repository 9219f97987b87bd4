"""Deleting one's own account (issue 14, point 4)."""

from django.urls import path

from alliance.privacy import erasure_views

urlpatterns = [
    path("delete-account/", erasure_views.delete_account, name="delete-account"),
    path("delete-account/done/", erasure_views.account_deleted, name="account-deleted"),
]
