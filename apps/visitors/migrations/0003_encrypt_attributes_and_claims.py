"""A visitor's attributes and unverified claims (an email, a name) are personal data: stored
encrypted from now on, like their verified name and email. The columns become text; the rows
already there are encrypted in place."""

from django.db import migrations

from apps.core import crypto

COLUMNS = ("attributes", "unverified")
BATCH = 1000


def _rewrite(schema_editor, convert) -> None:
    connection = schema_editor.connection
    table = connection.ops.quote_name("visitors_visitor")
    with connection.cursor() as read, connection.cursor() as write:
        read.execute(f"SELECT id, {', '.join(COLUMNS)} FROM {table} ORDER BY id")  # noqa: S608
        while rows := read.fetchmany(BATCH):
            for pk, *values in rows:
                assignments = ", ".join(f"{c} = %s" for c in COLUMNS)
                write.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                    [*(convert(v) for v in values), pk],
                )


def encrypt_rows(apps, schema_editor) -> None:
    def convert(text):
        return "" if text in (None, "", "{}") else crypto.encrypt(text)

    _rewrite(schema_editor, convert)


def decrypt_rows(apps, schema_editor) -> None:
    def convert(token):
        return "{}" if token in (None, "") else crypto.decrypt(token)

    _rewrite(schema_editor, convert)


class Migration(migrations.Migration):
    dependencies = [
        ("visitors", "0002_presence_and_contact_notes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visitor",
            name="attributes",
            field=crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="attributes"
            ),
        ),
        migrations.AlterField(
            model_name="visitor",
            name="unverified",
            field=crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="unverified claims"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
