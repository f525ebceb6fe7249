"""The settings pages (Django admin), open to team admins only.

The admin is assembled here rather than by autodiscovery so that the permission check lives
in one place: `team.access` decides, not the `is_staff` flag alone.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from sellerdesk.accounts.admin import SellerAccountAdmin
from sellerdesk.accounts.models import SellerAccount
from sellerdesk.runtime.admin import JobRunAdmin, LeaseAdmin
from sellerdesk.runtime.models import JobRun, Lease
from sellerdesk.team import access
from sellerdesk.team.admin import TeamUserAdmin


class SellerdeskAdminSite(admin.AdminSite):
    site_header = "sellerdesk settings"
    site_title = "sellerdesk settings"
    index_title = "Settings"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active and request.user.is_staff and access.is_admin(request.user)
        )


site = SellerdeskAdminSite(name="admin")
site.register(SellerAccount, SellerAccountAdmin)
site.register(User, TeamUserAdmin)
site.register(Group)
site.register(JobRun, JobRunAdmin)
site.register(Lease, LeaseAdmin)
