"""PostgreSQL only: the name index becomes (name COLLATE "C", id), the expression and order of
``selectors.name_order()``. A name-prefix search is then a range of this index walked in the person list's
own order (name, id), so the first page and the capped count stop after enough matches instead of sorting
or hashing all of them; the id makes it usable index-only and for the order's tie-break. It replaces the
``varchar_pattern_ops`` index of 0002, which served ``LIKE 'x%'`` but not the order. (The database's
collation here is C.UTF-8, whose order is the same code-point order as "C"; PostgreSQL only treats "C"
itself as safe for prefix ranges.) Other databases keep the plain index of 0001."""

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
        ("registry", "0002_postgres_name_index"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[
                "DROP INDEX IF EXISTS registry_person_name_prefix",
                'CREATE INDEX registry_person_name_prefix ON registry_person ((name COLLATE "C"), id)',
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS registry_person_name_prefix",
                "CREATE INDEX registry_person_name_prefix ON registry_person (name varchar_pattern_ops) "
                "INCLUDE (id)",
            ],
        ),
    ]
