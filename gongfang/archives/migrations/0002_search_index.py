"""The full-text index of documents (archives/search.py), one form per database.

SQLite: an FTS5 virtual table whose rowid is the document's pk, columns of pre-segmented
tokens. PostgreSQL: a table of ``tsvector`` chunks per document with a GIN index (lexemes
written as literals, weights A for the title, B for the text; no stemming, as config
``simple``). Neither is a Django model: only ``archives.search`` reads or writes them.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE archives_document_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 0')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS archives_document_fts"]

POSTGRES = [
    "CREATE TABLE archives_document_search ("
    " id bigserial PRIMARY KEY,"
    " document_id bigint NOT NULL REFERENCES archives_document (id)"
    " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " chunk integer NOT NULL,"
    " vector tsvector NOT NULL,"
    " UNIQUE (document_id, chunk))",
    "CREATE INDEX archives_document_search_vector ON archives_document_search USING gin (vector)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS archives_document_search"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("archives", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            elidable=False,
        ),
    ]
