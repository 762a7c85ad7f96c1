"""The audit log of staff actions: one row for every change a staff member makes, in one place.

Staff change things through the API (token or session), the staff pages and the admin. Rather than a
call in each of those views, one middleware looks at every unsafe request once it has been answered:
when a staff member made it and it succeeded, it records who, which route (the action), which object
(the route's id or number, or the id of what it created) and when. A route added later is audited
without anyone remembering to. Request bodies are never stored: they may carry customers' personal
data, and the audit log must not become a second copy of it.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from backend.models import AuditEntry
from backend.permissions import user_has_any_role

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Keys under which a created object names itself in an API answer.
CREATED_OBJECT_KEYS = ("id", "number", "sku", "code", "slug")


def is_staff_member(user: Any) -> bool:
    return bool(user and user.is_authenticated) and (user.is_staff or user_has_any_role(user))


def _target(request: HttpRequest, response: HttpResponse) -> dict[str, str]:
    match = request.resolver_match
    target = {key: str(value) for key, value in (match.kwargs if match else {}).items()}
    data = getattr(response, "data", None)
    if response.status_code == 201 and isinstance(data, dict):
        for key in CREATED_OBJECT_KEYS:
            if isinstance(data.get(key), str | int) and data[key] != "":
                target[f"created_{key}"] = str(data[key])
    return target


def record_staff_action(*, request: HttpRequest, response: HttpResponse) -> AuditEntry:
    match = request.resolver_match
    user = request.user
    if not user.is_authenticated:
        raise ValueError("Only a signed-in staff member's actions are audited.")
    return AuditEntry.objects.create(
        actor=user,
        actor_email=user.email,
        action=(match.view_name if match else "") or request.path[:120],
        method=request.method or "",
        path=request.path[:500],
        target=_target(request, response),
        status_code=response.status_code,
    )


class StaffAuditMiddleware:
    """Records each successful unsafe request made by a staff member (see the module's docstring).

    It reads `request.user` after the view has run, so API token authentication, which happens inside
    the view, is seen too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method in UNSAFE_METHODS
            and response.status_code < 400
            and is_staff_member(getattr(request, "user", None))
        ):
            record_staff_action(request=request, response=response)
        return response
