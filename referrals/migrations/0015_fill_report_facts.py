from django.db import migrations


def fill(apps, schema_editor):
    """The report's facts of the rollup rows already there (set-based: a few statements)."""
    from referrals.reports.facts import rebuild_report_facts

    rebuild_report_facts(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0014_report_facts"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
