"""一图展示 pages: the compounds map (智能地图) and the compound card the map opens."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from ..framework import clock
from ..framework.pdf import pdf_response, render_pdf
from ..framework.views.generic import BaseObjectView
from . import compound_map, floorplan
from .models import Building, Compound, Floor


class CompoundMapView(BaseObjectView):
    """The compounds of the account's scope, clustered, coloured by their open warnings."""

    queryset = Compound.objects.all()

    def get(self, request):
        return render(request, "registry/map.html", compound_map.map_page(request.user))


class CompoundCardView(BaseObjectView):
    """The map's popup: the compound, its open warnings, its buildings and their floors."""

    queryset = Compound.objects.select_related("region")

    def get(self, request, pk):
        compound = self.get_object(pk)
        user = request.user
        buildings = list(Building.objects.restrict(user).filter(compound=compound))
        floors = Floor.objects.restrict(user).filter(building__in=buildings).order_by("-number")
        by_building: dict[int, list[Floor]] = {}
        for floor in floors:
            by_building.setdefault(floor.building_id, []).append(floor)
        for building in buildings:
            building.map_floors = by_building.get(building.pk, [])
        counts = compound_map.open_warnings_by_compound(user, [compound.pk])
        return render(
            request,
            "registry/includes/compound_card.html",
            {
                "compound": compound,
                "buildings": buildings,
                "warnings": None if counts is None else counts.get(compound.pk, 0),
            },
        )


def floor_plan_context(request, floor: Floor) -> dict:
    """What plan_card.html needs: the plan in the mode ?mode= asks and its print/PDF addresses."""
    return {
        "plan": floorplan.floor_plan(request.user, floor, mode=request.GET.get("mode")),
        "floor_title": f"{floor.building.compound.name} {floor.building.name} {floor.label}",
        "print_url": reverse("registry:floor_plan_print", args=[floor.pk]),
        "pdf_url": reverse("registry:floor_plan_pdf", args=[floor.pk]),
    }


class FloorPlanPrintView(BaseObjectView):
    """The plan alone on a page, for the browser's print (floorplan.js opens the print dialog)."""

    queryset = Floor.objects.select_related("building__compound")

    def get(self, request, pk):
        floor = self.get_object(pk)
        context = floor_plan_context(request, floor)
        return render(request, "registry/plan_print.html", {"floor": floor, **context})


class FloorPlanPdfView(BaseObjectView):
    """The plan as an A4 landscape PDF (WeasyPrint draws the same SVG)."""

    queryset = Floor.objects.select_related("building__compound")

    def get(self, request, pk):
        floor = self.get_object(pk)
        context = floor_plan_context(request, floor)
        plan = context["plan"]
        # A4 landscape less margins, in mm; the SVG keeps its proportions inside.
        scale = min(267 / plan.width, 160 / plan.height)
        content = render_pdf(
            "registry/pdf/floor_plan.html",
            {
                "floor": floor,
                **context,
                "svg_width": f"{plan.width * scale:.1f}mm",
                "svg_height": f"{plan.height * scale:.1f}mm",
                "mode_label": floorplan.MODES[plan.mode],
                "printed_at": clock.now(),
            },
        )
        return pdf_response(content, f"{context['floor_title']}平面图.pdf")
