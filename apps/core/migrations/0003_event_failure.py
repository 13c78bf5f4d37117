import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A handler's successful work commits with its event's ``handled_at``; only failures need a
    row of their own."""

    dependencies = [("core", "0002_sent_email")]

    operations = [
        migrations.RemoveConstraint(model_name="eventreceipt", name="event_receipt_once"),
        migrations.RemoveIndex(model_name="eventreceipt", name="event_receipt_tenant"),
        migrations.RemoveField(model_name="eventreceipt", name="done_at"),
        migrations.RenameModel(old_name="EventReceipt", new_name="EventFailure"),
        migrations.AlterModelOptions(
            name="eventfailure",
            options={"verbose_name": "event failure", "verbose_name_plural": "event failures"},
        ),
        migrations.AlterField(
            model_name="eventfailure",
            name="event",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="failures",
                to="core.event",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventfailure",
            constraint=models.UniqueConstraint(
                fields=("event", "handler"), name="event_failure_once"
            ),
        ),
        migrations.AddIndex(
            model_name="eventfailure",
            index=models.Index(fields=["tenant", "event"], name="event_failure_tenant"),
        ),
    ]
