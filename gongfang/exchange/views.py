"""Pages of exchange: this system's key, the systems and keys registered, packages in and out
with their verification result, receiving a package, making one, returning one."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework import crypto
from ..framework.text import is_number
from ..framework.views.generic import ModelReadersMixin
from ..registry.models import Organization, Region
from ..reporting.choices import SubmissionState
from ..reporting.models import Submission
from ..reporting.services import may_fill
from . import services
from .models import Direction, Package, PackageDirection, PackageKind, Peer, PeerKey

HOME = "exchange:home"


def _get(queryset, raw):
    if not is_number(str(raw)):
        raise Http404("参数无效。")
    found = queryset.filter(pk=int(raw)).first()
    if found is None:
        raise Http404("没有找到。")
    return found


def _errors(request, exc) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def _sendable(user):
    """Our own signed submissions the account may package for the system above."""
    rows = Submission.objects.restrict(user, "view").filter(
        state__in=(SubmissionState.SIGNED, SubmissionState.SUBMITTED), is_current=True
    )
    rows = rows.select_related("period__form", "region", "organization")
    return [s for s in rows.order_by("-period__year", "pk")[:200] if may_fill(user, s)]


class HomeView(ModelReadersMixin, View):
    reader_model = Package

    """``exchange:home``."""

    def get(self, request):
        user = request.user
        identity = services.own_identity()
        peers = Peer.objects.restrict(user, "view").select_related("region", "organization")
        keys = PeerKey.objects.filter(peer__in=peers).select_related("peer", "registered_by")
        packages = (
            Package.objects.restrict(user, "view")
            .select_related("peer", "submission", "handled_by")
            .order_by("-created_at", "-pk")[:100]
        )
        return render(
            request,
            "exchange/home.html",
            {
                "identity": identity,
                "algorithm_label": crypto.algorithm_label(identity["algorithm"]),
                "peers": peers,
                "keys": keys,
                "packages": packages,
                "sendable": _sendable(user),
                "directions": Direction.choices,
                "can_manage": user.has_model_perm(Peer, "add"),
            },
        )

    def post(self, request):
        user, data = request.user, request.POST
        action = data.get("action")
        try:
            if action == "receive":
                upload = request.FILES.get("package")
                if upload is None:
                    raise ValidationError("请选择要接收的交换包文件。")
                package = services.receive(data=upload.read(), actor=user)
                (messages.success if package.accepted else messages.error)(request, package.result)
                return HttpResponseRedirect(reverse("exchange:package", args=[package.pk]))
            if action == "peer":
                region = Region.objects.restrict(user, "view").filter(code=data.get("region"))
                region = region.first()
                if region is None:
                    raise ValidationError("对方区划：请填写管辖范围内的区划代码。")
                org = None
                if data.get("uscc"):
                    org = Organization.objects.filter(uscc=data["uscc"].strip()).first()
                    if org is None:
                        raise ValidationError("对方单位：没有该统一社会信用代码的单位。")
                peer = services.register_peer(
                    name=data.get("name", ""),
                    direction=data.get("direction", ""),
                    region=region,
                    organization=org,
                    contact=data.get("contact", ""),
                    actor=user,
                )
                services.register_key(
                    peer=peer,
                    public_key=data.get("public_key", ""),
                    algorithm=data.get("algorithm", ""),
                    actor=user,
                )
                messages.success(request, f"已登记“{peer}”及其公钥。")
            elif action == "revoke":
                key = _get(
                    PeerKey.objects.filter(peer__in=Peer.objects.restrict(user, "change")),
                    data.get("key"),
                )
                services.revoke_key(key=key, actor=user)
                messages.success(request, f"已停用“{key.peer}”的密钥 {key.fingerprint[:16]}…。")
            elif action == "send":
                submission = _get(Submission.objects.restrict(user, "view"), data.get("submission"))
                package = services.send_submission(submission=submission, actor=user)
                messages.success(request, "报送包已签名，请下载后报送上级系统。")
                return HttpResponseRedirect(reverse("exchange:package", args=[package.pk]))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            _errors(request, exc)
        return HttpResponseRedirect(reverse(HOME))


class PackageView(ModelReadersMixin, View):
    reader_model = Package

    """``exchange:package``: one package, what checking it found, and returning it."""

    def get(self, request, pk):
        package = _get(
            Package.objects.restrict(request.user, "view").select_related("peer", "submission"), pk
        )
        summary = services.summary(package)
        can_return = (
            package.direction == PackageDirection.IN
            and package.accepted
            and package.kind == "submission"
            and package.submission is not None
            and package.submission.external
            and package.submission.state == SubmissionState.SUBMITTED
        )
        return render(
            request,
            "exchange/package.html",
            {"package": package, "summary": summary, "can_return": can_return},
        )

    def post(self, request, pk):
        package = _get(Package.objects.restrict(request.user, "view"), pk)
        try:
            returned = services.send_return(
                received=package, reasons=request.POST.get("reasons", ""), actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            return HttpResponseRedirect(reverse("exchange:package", args=[package.pk]))
        messages.success(request, "已退回，退回包已签名，请下载后发回下级系统。")
        return HttpResponseRedirect(reverse("exchange:package", args=[returned.pk]))


class ReceivedView(ModelReadersMixin, View):
    """``exchange:received`` (submission pk): the package the submission was last imported from,
    where it is returned (the submission's page links here for a submission from a system
    below)."""

    reader_model = Package

    def get(self, request, pk: int):
        package = (
            Package.objects.restrict(request.user, "view")
            .filter(
                direction=PackageDirection.IN,
                kind=PackageKind.SUBMISSION,
                accepted=True,
                submission_id=pk,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if package is None:
            raise Http404("没有找到该报送导入时的报送包。")
        return HttpResponseRedirect(reverse("exchange:package", args=[package.pk]))


def package_response(package: Package) -> HttpResponse:
    """The package's exact bytes as a download (the signature covers every byte). Sent as
    octet-stream: a refused package keeps whatever was received, which need not be JSON."""
    kind = "报送包" if package.kind == PackageKind.SUBMISSION else "退回包"
    name = f"{kind}_{package.unit_name}_{package.created_at:%Y%m%d%H%M%S}.json"
    response = HttpResponse(package.data.encode("utf-8"), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


class DownloadView(ModelReadersMixin, View):
    reader_model = Package

    """``exchange:download``: the package's exact bytes."""

    def get(self, request, pk):
        return package_response(_get(Package.objects.restrict(request.user, "view"), pk))
