"""The demo firm: users, accounts, strategies, memberships and desks, created through the services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from accounts.models import Account, AccountGroup, Membership
from accounts.scoping import Role
from accounts.services import account_create, membership_set, strategy_create
from riskplatform.demo import universe as u


@dataclass(frozen=True)
class DemoUsers:
    admin: User
    risk_manager: User
    traders: tuple[User, ...]
    viewer: User
    oms: User
    oms_token: str


def _user(username: str, password_hash: str, *, superuser: bool = False) -> User:
    """Create or refresh a demo user; the password is reset so that the printed login always works."""
    model = get_user_model()
    user, _ = model.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
    user.is_staff = superuser
    user.is_superuser = superuser
    user.is_active = True
    user.password = password_hash
    user.save()
    return user


def users_create() -> DemoUsers:
    # Hashing is deliberately slow: hash the shared demo password once, not once per user.
    password_hash = make_password(u.DEMO_PASSWORD)
    oms = _user(u.OMS_USER, password_hash)
    token, _ = Token.objects.get_or_create(user=oms)
    return DemoUsers(
        admin=_user(u.ADMIN_USERNAME, password_hash, superuser=True),
        risk_manager=_user(u.RISK_MANAGER, password_hash),
        traders=tuple(_user(name, password_hash) for name in u.TRADERS),
        viewer=_user(u.VIEWER, password_hash),
        oms=oms,
        oms_token=token.key,
    )


def accounts_create(users: DemoUsers) -> list[Account]:
    """The demo accounts with their strategies and members; existing ones are left as they are."""
    accounts: list[Account] = []
    for index, spec in enumerate(u.ACCOUNTS):
        account = Account.objects.filter(code=spec.code).first()
        if account is None:
            account = account_create(
                code=spec.code, name=spec.name, base_currency=spec.base_currency, created_by=users.admin
            )
        existing = set(account.strategies.values_list("code", flat=True))
        for code, name in spec.strategies:
            if code not in existing:
                strategy_create(account=account, code=code, name=name, created_by=users.admin)
        trader = users.traders[index % len(users.traders)]
        roles = {
            users.risk_manager: Role.RISK_MANAGER,
            trader: Role.TRADER,
            users.oms: Role.TRADER,
            users.viewer: Role.VIEWER,
        }
        current = dict(Membership.objects.filter(account=account).values_list("user_id", "role"))
        for user, role in roles.items():
            if current.get(user.pk) != role:
                membership_set(account=account, user=user, role=role, changed_by=users.admin)
        accounts.append(account)
    return accounts


def desks_create(users: DemoUsers) -> list[AccountGroup]:
    """The two desks (account groups), through the limits app's group service."""
    from limits.services import account_group_create

    desks: list[AccountGroup] = []
    for code, name in u.DESKS.items():
        members = [spec.code for spec in u.ACCOUNTS if spec.desk == code]
        group = AccountGroup.objects.filter(code=code).first()
        if group is None:
            group = account_group_create(
                code=code, name=name, base_currency="USD", accounts=members, created_by=users.admin
            )
        desks.append(group)
    return desks
