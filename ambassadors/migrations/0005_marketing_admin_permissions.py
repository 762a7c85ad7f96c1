"""Marketing manages recruitment in the admin too: give the `marketing` group its model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKETING_PERMISSIONS = {
    "campaign": ("add", "change", "delete", "view"),
    "campaignstatuschange": ("view",),
    "application": ("change", "view"),  # change = the review actions; the fields stay read-only
    "applicationstatuschange": ("view",),
    "host": ("change", "view"),
    "hoststatuschange": ("view",),
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so they can be granted.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="marketing")
    for model, actions in MARKETING_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="ambassadors",
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="marketing").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="ambassadors",
                codename__in=[f"{a}_{m}" for m, actions in MARKETING_PERMISSIONS.items() for a in actions],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ambassadors", "0004_campaignstatuschange"),
        ("backend", "0002_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
