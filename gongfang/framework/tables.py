"""Base table: sortable, paginated, with the columns each user chooses to see."""

from __future__ import annotations

import django_tables2 as tables


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-vcenter table-hover card-table"}
        empty_text = "没有符合条件的记录。"

    # Columns shown until the user chooses; all others stay available in the column chooser.
    default_columns: tuple[str, ...] = ()

    def choosable_columns(self) -> list[tuple[str, str]]:
        return [(c.name, str(c.header)) for c in self.columns.iterall() if c.name != "actions"]

    def show_only(self, names: list[str]) -> None:
        wanted = set(names)
        for column in self.columns.iterall():
            if column.name == "actions":
                continue
            if column.name in wanted:
                self.columns.show(column.name)
            else:
                self.columns.hide(column.name)
