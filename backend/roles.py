"""Staff roles are groups; `admin` holds every role."""

from typing import Any

MARKETING = "marketing"
LOGISTICS = "logistics"
ADMIN = "admin"
ALL_ROLES = (MARKETING, LOGISTICS, ADMIN)

# Model permissions each role holds in the admin, as (app label, codename).
ROLE_PERMISSIONS = {
    ADMIN: [("backend", "view_auditentry"), ("backend", "run_payouts")],
}


def ensure_roles(*, using: str = "default", **kwargs: Any) -> None:
    """Create the role groups and grant their admin permissions; idempotent.

    Runs after every `migrate` (and `flush`, which empties the groups a data migration made), so the
    roles exist on any database the code runs against.
    """
    from django.contrib.auth.models import Group, Permission

    for role in ALL_ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        for app_label, codename in ROLE_PERMISSIONS.get(role, []):
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is not None:
                group.permissions.add(permission)
