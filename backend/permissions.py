from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend import roles
from backend.models import User


def user_has_role(user: Any, role: str) -> bool:
    """True for members of `role` or `admin`, and superusers; the group list is cached per request user."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return role in names or roles.ADMIN in names


def user_has_any_role(user: Any) -> bool:
    """Marketing, logistics or admin: a member of staff."""
    return any(user_has_role(user, role) for role in roles.ALL_ROLES)


def user_sees_personal_data(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("backend.view_personal_data"))


def staff_user(request: Request) -> User:
    """The signed-in staff member acting (the role permission already refused anyone else)."""
    user = request.user
    assert isinstance(user, User), "role permissions only let signed-in users through"
    return user


class _RolePermission(BasePermission):
    role = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, self.role)


class IsMarketing(_RolePermission):
    role = roles.MARKETING


class IsLogistics(_RolePermission):
    role = roles.LOGISTICS


class IsAdminRole(_RolePermission):
    role = roles.ADMIN


class IsStaffMember(BasePermission):
    """Any staff role: marketing, logistics or admin."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_any_role(request.user)


class RunsPayouts(BasePermission):
    """Marketing staff who also hold the run-payouts permission (the admin role has it): sending money
    is not every marketer's job."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, roles.MARKETING) and request.user.has_perm("backend.run_payouts")


class HandlesPersonalData(BasePermission):
    """Marketing staff who also hold the personal-data permission (exports and erasures)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, roles.MARKETING) and user_sees_personal_data(request.user)
