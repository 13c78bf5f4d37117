from datetime import timedelta

from django.db import migrations, models
from django.db.models import F


def mark_saved_ones(apps, schema_editor):
    """Settings written well after their workspace was made were saved by a person on the
    widget's page (the only other writer, a new identity secret, is made there too)."""
    WidgetSettings = apps.get_model("tenants", "WidgetSettings")
    WidgetSettings.objects.filter(
        updated_at__gt=F("tenant__created_at") + timedelta(minutes=1)
    ).update(edited_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_signup_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="widgetsettings",
            name="edited_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="edited"
            ),
        ),
        migrations.RunPython(mark_saved_ones, migrations.RunPython.noop),
    ]
