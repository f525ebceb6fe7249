"""Adding and updating team members (used by `sellerdesk users` and the demo)."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from sellerdesk.accounts.models import SellerAccount
from sellerdesk.team.models import Role, TeamMember


class MemberError(Exception):
    """A team member could not be added; the message says why."""


def generated_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_member(
    username: str,
    *,
    role: Role,
    account_names: list[str],
    email: str = "",
    password: str | None = None,
) -> tuple[User, str | None]:
    """Create or update a user with a role and its accounts. Returns the user and the
    password that was set (generated when none was given and the user is new)."""
    accounts = list(SellerAccount.objects.filter(name__in=account_names))
    unknown = sorted(set(account_names) - {a.name for a in accounts})
    if unknown:
        raise MemberError(f"no seller account named {', '.join(map(repr, unknown))}")
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if created and password is None:
            password = generated_password()
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise MemberError(f"password rejected: {' '.join(error.messages)}") from None
            user.set_password(password)
        user.email = email or user.email
        # Admins manage settings through the Django admin, which wants staff and permissions.
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
        member, _ = TeamMember.objects.update_or_create(user=user, defaults={"role": role})
        member.accounts.set(accounts)
    return user, password
