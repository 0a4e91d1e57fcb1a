"""PostgreSQL's search table loses its foreign key to the documents.

Django empties tables with ``TRUNCATE`` of the tables it knows (a flush: between transactional
tests, ``manage.py flush``); a table it does not know that references ``archives_document`` makes
that TRUNCATE fail. The index is kept in step by ``archives.search`` instead (a deleted document
leaves it; rows left by a flush are pruned after it, ``search.prune``).
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE archives_document_search"
    " DROP CONSTRAINT IF EXISTS archives_document_search_document_id_fkey"
]
POSTGRES_BACK = [
    "DELETE FROM archives_document_search s WHERE NOT EXISTS"
    " (SELECT 1 FROM archives_document d WHERE d.id = s.document_id)",
    "ALTER TABLE archives_document_search ADD CONSTRAINT archives_document_search_document_id_fkey"
    " FOREIGN KEY (document_id) REFERENCES archives_document (id)"
    " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED",
]


def _run(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("archives", "0003_floor_plans")]

    operations = [migrations.RunPython(_run(POSTGRES), _run(POSTGRES_BACK), elidable=False)]
