"""Admin for users and their team membership (role, visible accounts)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sellerdesk.team.models import TeamMember


class TeamMemberInline(admin.StackedInline):
    model = TeamMember
    can_delete = False
    filter_horizontal = ["accounts"]


class TeamUserAdmin(UserAdmin):
    inlines = [TeamMemberInline]
    list_display = ["username", "email", "role", "is_active"]

    @admin.display(description="Role")
    def role(self, user: object) -> str:
        member = getattr(user, "team_member", None)
        return member.get_role_display() if member else "no access"
