"""Pages of titles and use certificates, and the public verification page of a certificate.

Titles use the generic pages. A use certificate is issued (``usecertificate_add``) and revoked
through the services, printed as PDF with a QR code, and verified without login at
``/verify/certificate/<token>/`` — which shows the number, the holder, the room count, the area
and the state, nothing about any person.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework.changelog import record_event
from ..framework.forms import apply_errors
from ..framework.pdf import pdf_response, render_pdf
from ..framework.text import is_number
from ..framework.versions import StaleObjectError
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from ..framework.views.generic import BaseObjectView, safe_return_url
from ..registry.models import Organization
from . import filtersets, forms, selectors, services, tables
from .models import Title, UseCertificate


# Titles ---------------------------------------------------------------------------------------
class TitleListView(ObjectListView):
    queryset = Title.objects.select_related("compound", "building__compound", "holder", "region")
    filterset = filtersets.TitleFilterSet
    table = tables.TitleTable
    filter_order = ("region", "unit", "kind", "holder", "held_centrally", "compound", "building")


class TitleView(ObjectView):
    queryset = Title.objects.select_related(
        "compound__region", "building__compound__region", "holder", "region"
    )
    template_name = "titles/title.html"
    attributes = (
        "compound",
        "building",
        "kind",
        "certificate_number",
        "holder",
        "held_centrally",
        "area",
        "issued_on",
        "source_document",
        "note",
        "region",
    )


class TitleEditView(ObjectEditView):
    queryset = Title.objects.all()
    form = forms.TitleForm


class TitleDeleteView(ObjectDeleteView):
    queryset = Title.objects.all()


# Use certificates -------------------------------------------------------------------------------
class UseCertificateListView(ObjectListView):
    queryset = UseCertificate.objects.select_related("organization", "region")
    filterset = filtersets.UseCertificateFilterSet
    table = tables.UseCertificateTable
    template_name = "titles/usecertificate_list.html"
    filter_order = ("region", "unit", "organization", "state", "issued_after", "issued_before")

    def get_extra_context(self) -> dict[str, Any]:
        # The generic "新增" button is the issue page, for the bureau only.
        if not services.can_issue(self.request.user):
            return {"add_url": "", "can_add": False}
        return {}


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an inline SVG data URI (pages and PDF: nothing fetched)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def verify_url(request, certificate: UseCertificate) -> str:
    return request.build_absolute_uri(
        reverse("verify:certificate", args=[certificate.verify_token])
    )


class UseCertificateView(ObjectView):
    queryset = UseCertificate.objects.select_related("organization", "region", "issued_by")
    template_name = "titles/usecertificate.html"
    attributes = (
        "number",
        "organization",
        "issued_on",
        "issued_by",
        "state",
        "revoked_on",
        "revoke_reason",
        "room_count",
        "total_area",
        "note",
    )

    def get_extra_context(self, obj) -> dict[str, Any]:
        user = self.request.user
        may_revoke = obj.is_valid and services.can_issue(user)
        return {
            "can_change": False,
            "can_delete": False,
            "lines": selectors.certificate_lines(obj),
            "qr": qr_data_uri(verify_url(self.request, obj)),
            "verify_url": verify_url(self.request, obj),
            "may_revoke": may_revoke,
            "revoke_form": forms.RevokeCertificateForm(initial={"version": obj.version})
            if may_revoke
            else None,
        }


class UseCertificateIssueView(BaseObjectView):
    """签发使用权证 (the model's "add" page)."""

    queryset = UseCertificate.objects.all()
    action = "add"
    template_name = "titles/usecertificate_issue.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_issue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def organization(self) -> Organization | None:
        pk = self.request.GET.get("organization", "")
        if not is_number(pk):
            return None
        return Organization.objects.restrict(self.request.user, "view").filter(pk=pk).first()

    def render_form(self, form, status=200):
        context = {
            **self.base_context(),
            "form": form,
            "organization": form.organization,
            "return_url": safe_return_url(self.request, reverse("titles:usecertificate_list")),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(
            forms.IssueCertificateForm(user=request.user, organization=self.organization())
        )

    def post(self, request):
        form = forms.IssueCertificateForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = services.issue_certificate(
                    actor=request.user,
                    organization=data["organization"],
                    rooms=data["rooms"],
                    issued_on=data["issued_on"],
                    note=data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已签发使用权证 {certificate.number}。")
                return HttpResponseRedirect(certificate.get_absolute_url())
        return self.render_form(form)


class UseCertificateRevokeView(BaseObjectView):
    queryset = UseCertificate.objects.all()
    action = "change"

    def post(self, request, pk):
        certificate = self.get_object(pk)
        if not services.can_issue(request.user):
            raise PermissionDenied
        form = forms.RevokeCertificateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写注销原因。")
            return HttpResponseRedirect(certificate.get_absolute_url())
        try:
            services.revoke_certificate(
                actor=request.user,
                certificate=certificate,
                reason=form.cleaned_data["revoke_reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except (StaleObjectError, ValidationError) as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已注销使用权证 {certificate.number}。")
        return HttpResponseRedirect(certificate.get_absolute_url())


class UseCertificatePDFView(BaseObjectView):
    """The printable certificate (A4 PDF with the QR code of its verification page)."""

    queryset = UseCertificate.objects.select_related("organization", "region", "issued_by")

    def get(self, request, pk):
        certificate = self.get_object(pk)
        url = verify_url(request, certificate)
        pdf = render_pdf(
            "titles/usecertificate_pdf.html",
            {
                "certificate": certificate,
                "lines": selectors.certificate_lines(certificate),
                "qr": qr_data_uri(url),
                "verify_url": url,
            },
        )
        record_event(actor=request.user, event="usecertificate.pdf", obj=certificate)
        return pdf_response(pdf, f"使用权证-{certificate.number}.pdf")


class VerifyCertificateView(View):
    """Public: what the QR code on a printed certificate opens. No login; nothing personal."""

    def get(self, request, token: str):
        certificate = selectors.certificate_by_token(token)
        response = render(
            request,
            "titles/verify.html",
            {"certificate": certificate},
            status=200 if certificate is not None else 404,
        )
        # The state may change any day; the address is a secret of the paper, not for indexes.
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response
