"""The audit chain's signed checkpoints, for the audit administrator: each with whether the file
outside the database holds it as signed; a button writes one now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from .. import crypto
from ..checkpoints import checkpoint_file, create_checkpoint, file_status
from ..models import AuditCheckpoint, ObjectChange


class CheckpointListView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_model_perm(ObjectChange, "view"):
            raise PermissionDenied("只有审计管理员可以查看审计检查点。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        page = Paginator(AuditCheckpoint.objects.order_by("-pk"), 50).get_page(
            request.GET.get("page")
        )
        status = file_status()
        rows = [
            (
                checkpoint,
                status.get(checkpoint.pk, False),
                crypto.algorithm_label(checkpoint.algorithm),
            )
            for checkpoint in page
        ]
        return render(
            request,
            "framework/checkpoints.html",
            {"page": page, "rows": rows, "file": checkpoint_file()},
        )

    def post(self, request):
        checkpoint = create_checkpoint(actor=request.user)
        if checkpoint is None:
            messages.info(request, "自上一检查点以来审计日志没有新记录，未生成检查点。")
        else:
            messages.success(request, f"已生成检查点 #{checkpoint.pk}，并写入检查点文件。")
        return HttpResponseRedirect(reverse("framework:checkpoints"))
