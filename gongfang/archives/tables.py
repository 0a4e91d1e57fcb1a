"""List-page tables of archives."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from ..framework.tables import (
    ActionsColumn,
    BaseTable,
    DateColumn,
    LinkedColumn,
    NumberColumn,
    RelatedColumn,
)
from .models import Document, DocumentCategory


def file_size(size: int | None) -> str:
    """A size as people read it: 12.3 KB, 4.5 MB."""
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class DocumentTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    title = LinkedColumn(verbose_name="标题")
    category = tables.Column(verbose_name="类别", order_by=("category__order",))
    subject = tables.Column(verbose_name="所属对象", orderable=False, empty_values=())
    revision = NumberColumn(verbose_name="版次")
    is_current = tables.BooleanColumn(verbose_name="现行版本", yesno="是,否")
    original_name = tables.Column(verbose_name="原文件名")
    size = tables.Column(verbose_name="大小")
    issued_on = DateColumn(verbose_name="成文日期")
    source = tables.Column(verbose_name="来源")
    uploaded_by = tables.Column(verbose_name="上传人", order_by=("uploaded_by__name",))
    uploaded_at = DateColumn(verbose_name="上传时间", format="Y-m-d H:i")
    region = RelatedColumn(verbose_name="所在区划", display="name", order_by="region__code")
    download = tables.Column(verbose_name="文件", orderable=False, empty_values=())
    actions = ActionsColumn()

    default_columns = (
        "title",
        "category",
        "subject",
        "revision",
        "size",
        "issued_on",
        "uploaded_by",
        "uploaded_at",
        "download",
    )

    class Meta(BaseTable.Meta):
        model = Document
        fields = ()
        sequence = (
            "id",
            "title",
            "category",
            "subject",
            "revision",
            "is_current",
            "original_name",
            "size",
            "issued_on",
            "source",
            "uploaded_by",
            "uploaded_at",
            "region",
            "download",
            "actions",
        )

    def render_subject(self, record: Document):
        subject = record.subject
        if subject is None:
            return "（已删除）"
        if self.may_view(type(subject)):
            return format_html('<a href="{}">{}</a>', subject.get_absolute_url(), str(subject))
        return str(subject)

    def render_size(self, value):
        return file_size(value)

    def render_uploaded_by(self, value):
        return value.name or value.username

    def render_download(self, record: Document):
        url = reverse("archives:document_file", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, "打开" if record.is_inline else "下载")


class DocumentCategoryTable(BaseTable):
    id = LinkedColumn(verbose_name="编号")
    name = LinkedColumn(verbose_name="名称")
    code = tables.Column(verbose_name="代码")
    order = NumberColumn(verbose_name="排序")
    active = tables.BooleanColumn(verbose_name="启用", yesno="是,否")
    actions = ActionsColumn()

    # The code is the programs' handle (edited on the form), not something a reader needs.
    default_columns = ("name", "order", "active")

    class Meta(BaseTable.Meta):
        model = DocumentCategory
        fields = ()
        sequence = ("id", "name", "code", "order", "active", "actions")
