"""PostgreSQL only: the name-prefix index becomes covering (INCLUDE id), so counting the people whose name
starts with a prefix, joined to their episodes for the scope, never visits the table rows. Other databases
keep the plain index of 0001 (they ignore operator classes)."""

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
        ("registry", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[
                "DROP INDEX IF EXISTS registry_person_name_prefix",
                "CREATE INDEX registry_person_name_prefix ON registry_person (name varchar_pattern_ops) INCLUDE (id)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS registry_person_name_prefix",
                "CREATE INDEX registry_person_name_prefix ON registry_person (name varchar_pattern_ops)",
            ],
        ),
    ]
