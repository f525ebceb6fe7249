"""Who may see what. Every view and query that touches seller data goes through here.

A user never learns that an object they may not see exists: it is a 404, the same answer as
for an object that does not exist.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role, TeamMember

AnyUser = AbstractBaseUser | AnonymousUser


def role_of(user: AnyUser) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        member = TeamMember.objects.only("role").get(user_id=user.pk)
    except TeamMember.DoesNotExist:
        return None
    return Role(member.role)


def is_admin(user: AnyUser) -> bool:
    return role_of(user) == Role.ADMIN


def visible_accounts(user: AnyUser) -> QuerySet[SellerAccount]:
    role = role_of(user)
    if role is None:
        return SellerAccount.objects.none()
    if role == Role.ADMIN:
        return SellerAccount.objects.all()
    # role_of() returned a role, so the user is a saved, signed-in user with a primary key.
    return SellerAccount.objects.filter(members__user_id=cast(int, user.pk))


def get_account_for_user(user: AnyUser, account_id: int) -> SellerAccount:
    try:
        return visible_accounts(user).get(pk=account_id)
    except SellerAccount.DoesNotExist:
        raise Http404("No such seller account.") from None


def acting(request: HttpRequest) -> User:
    """The signed-in user, for views behind `login_required` (which guarantees one)."""
    return cast(User, request.user)
