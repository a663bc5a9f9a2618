"""PostgreSQL only: drop the ``varchar_pattern_ops`` index Django adds beside the unique index of
``Person.id_number``. It only serves ``LIKE 'x%'`` on ID numbers, which nothing does (lookups are exact, on
the unique index), and every imported person paid for maintaining it (about a seventh of the server's
work in a 100,000-row roster import). Django drops it with ``IF EXISTS`` should the field change later."""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_postgres_name_order_index"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=["DROP INDEX IF EXISTS registry_person_id_number_91906e7b_like"],
            reverse_sql=[
                "CREATE INDEX IF NOT EXISTS registry_person_id_number_91906e7b_like "
                "ON registry_person (id_number varchar_pattern_ops)"
            ],
        ),
    ]
