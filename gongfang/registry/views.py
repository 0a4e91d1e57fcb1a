"""Pages of the registry: the dashboard, global search and the generic pages of every model.

Views stay thin: reads come from ``selectors``, writes go through the services (in the generic
views), scope comes from ``restrict()``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views import View

from ..compliance import selectors as compliance
from ..compliance.dashboard_charts import dashboard_charts
from ..framework.objectactions import landing_for
from ..framework.views import ObjectDeleteView, ObjectEditView, ObjectListView, ObjectView
from . import filtersets, floorplan, forms, picture_views, selectors, tables
from .models import (
    Building,
    Canteen,
    Compound,
    Floor,
    LeadershipQuota,
    Occupancy,
    Organization,
    ParkingLot,
    Person,
    Post,
    Region,
    Room,
)


# Dashboard and search -----------------------------------------------------------------------------
class DashboardView(LoginRequiredMixin, View):
    """Headline figures of the account's scope and their breakdown by sub-region or sub-unit."""

    def get(self, request):
        # An account may open on another page (a leader on his to-do list); ?dashboard=1 shows
        # the dashboard all the same.
        landing = None if request.GET.get("dashboard") else landing_for(request.user)
        if landing:
            return HttpResponseRedirect(landing)
        try:
            board = selectors.dashboard(
                request.user,
                region_code=request.GET.get("region") or None,
                organization_id=request.GET.get("organization") or None,
            )
        except LookupError:
            raise Http404("没有找到该区划或单位，或其不在您的管辖范围内。") from None
        warnings = compliance.dashboard_warnings(request.user, board)
        charts = dashboard_charts(request.user, board, warnings)
        return render(
            request,
            "registry/dashboard.html",
            {"board": board, "warnings": warnings, "charts": charts},
        )


class SearchView(LoginRequiredMixin, View):
    """One box over organizations, compounds, buildings, rooms and persons in scope."""

    def get(self, request):
        text = request.GET.get("q", "").strip()[:100]
        groups = selectors.search(request.user, text)
        return render(
            request,
            "registry/search.html",
            {"q": text, "groups": groups, "total": sum(len(g.results) for g in groups)},
        )


# Generic pages --------------------------------------------------------------------------------------
class RegistryObjectView(ObjectView):
    """Detail page with the region → compound → building → floor breadcrumbs."""

    related: ClassVar[Any] = None

    def get_extra_context(self, obj) -> dict[str, Any]:
        context: dict[str, Any] = {"breadcrumbs": selectors.breadcrumbs(self.request.user, obj)}
        if self.related is not None:
            context["related"] = type(self).related(self.request.user, obj)
        return context


# Regions
class RegionListView(ObjectListView):
    queryset = Region.objects.select_related("parent")
    filterset = filtersets.RegionFilterSet
    table = tables.RegionTable


class RegionView(RegistryObjectView):
    queryset = Region.objects.select_related("parent")
    template_name = "registry/region.html"
    attributes = ("code", "name", "level", "parent")
    related = staticmethod(selectors.region_related)


class RegionEditView(ObjectEditView):
    queryset = Region.objects.all()
    form = forms.RegionForm


class RegionDeleteView(ObjectDeleteView):
    queryset = Region.objects.all()


# Organizations
class OrganizationListView(ObjectListView):
    queryset = Organization.objects.select_related("parent", "region")
    filterset = filtersets.OrganizationFilterSet
    table = tables.OrganizationTable
    filter_order = ("region", "unit", "parent", "kind", "level", "standard_level", "status")


class OrganizationView(RegistryObjectView):
    queryset = Organization.objects.select_related("parent", "region", "successor")
    template_name = "registry/organization.html"
    attributes = (
        "name",
        "short_name",
        "uscc",
        "kind",
        "level",
        "standard_level",
        "parent",
        "region",
        "staffing_quota",
        "institution_staffing_quota",
        "status",
        "abolished_on",
        "successor",
    )
    related = staticmethod(selectors.organization_related)

    def get_extra_context(self, obj) -> dict[str, Any]:
        # The over-standard badge and the explanation of the standard (compliance app).
        return {
            **super().get_extra_context(obj),
            **compliance.page_context(self.request.user, organization=obj),
        }


class OrganizationEditView(ObjectEditView):
    queryset = Organization.objects.all()
    form = forms.OrganizationForm


class OrganizationDeleteView(ObjectDeleteView):
    queryset = Organization.objects.all()


# Leadership quotas
class LeadershipQuotaListView(ObjectListView):
    queryset = LeadershipQuota.objects.select_related("organization")
    filterset = filtersets.LeadershipQuotaFilterSet
    table = tables.LeadershipQuotaTable


class LeadershipQuotaView(RegistryObjectView):
    queryset = LeadershipQuota.objects.select_related("organization")
    template_name = "registry/leadershipquota.html"
    attributes = ("organization", "grade", "count")


class LeadershipQuotaEditView(ObjectEditView):
    queryset = LeadershipQuota.objects.all()
    form = forms.LeadershipQuotaForm


class LeadershipQuotaDeleteView(ObjectDeleteView):
    queryset = LeadershipQuota.objects.all()


# Compounds
class CompoundListView(ObjectListView):
    queryset = Compound.objects.select_related("region", "owner_org")
    filterset = filtersets.CompoundFilterSet
    table = tables.CompoundTable
    filter_order = ("region", "unit", "owner_org")


class CompoundView(RegistryObjectView):
    queryset = Compound.objects.select_related("region", "owner_org")
    template_name = "registry/compound.html"
    attributes = (
        "name",
        "region",
        "address",
        "owner_org",
        "land_area",
        "land_certificate",
        "lng",
        "lat",
    )
    related = staticmethod(selectors.compound_related)


class CompoundEditView(ObjectEditView):
    queryset = Compound.objects.all()
    form = forms.CompoundForm


class CompoundDeleteView(ObjectDeleteView):
    queryset = Compound.objects.all()


# Buildings
class BuildingListView(ObjectListView):
    queryset = Building.objects.select_related("compound__region")
    filterset = filtersets.BuildingFilterSet
    table = tables.BuildingTable
    filter_order = ("region", "unit", "compound", "height_class", "title_status")


class BuildingView(RegistryObjectView):
    queryset = Building.objects.select_related("compound__region")
    template_name = "registry/building.html"

    def get_extra_context(self, obj) -> dict[str, Any]:
        # Floors × rooms (一图展示), coloured as ?mode= asks.
        stack = floorplan.building_stack(self.request.user, obj, mode=self.request.GET.get("mode"))
        return {**super().get_extra_context(obj), "stack": stack}

    attributes = (
        "compound",
        "name",
        "floors_above",
        "floors_below",
        "building_area",
        "usable_area",
        "year_built",
        "height_class",
        "title_status",
    )
    related = staticmethod(selectors.building_related)


class BuildingEditView(ObjectEditView):
    queryset = Building.objects.select_related("compound")
    form = forms.BuildingForm


class BuildingDeleteView(ObjectDeleteView):
    queryset = Building.objects.select_related("compound")


# Floors
class FloorListView(ObjectListView):
    queryset = Floor.objects.select_related("building__compound")
    filterset = filtersets.FloorFilterSet
    table = tables.FloorTable


class FloorView(RegistryObjectView):
    queryset = Floor.objects.select_related("building__compound__region")
    template_name = "registry/floor.html"
    attributes = ("building", "number", "name")
    related = staticmethod(selectors.floor_related)

    def get_extra_context(self, obj) -> dict[str, Any]:
        # The floor plan (一图展示), coloured as ?mode= asks.
        return {
            **super().get_extra_context(obj),
            **picture_views.floor_plan_context(self.request, obj),
        }


class FloorEditView(ObjectEditView):
    queryset = Floor.objects.select_related("building__compound")
    form = forms.FloorForm


class FloorDeleteView(ObjectDeleteView):
    queryset = Floor.objects.select_related("building__compound")


# Rooms
class RoomListView(ObjectListView):
    queryset = Room.objects.select_related("floor__building__compound__region", "organization")
    filterset = filtersets.RoomFilterSet
    table = tables.RoomTable
    filter_order = (
        "region",
        "compound",
        "building",
        "floor",
        "unit",
        "organization",
        "category",
        "subtype",
        "status",
    )


class RoomView(RegistryObjectView):
    queryset = Room.objects.select_related("floor__building__compound__region", "organization")
    template_name = "registry/room.html"
    attributes = (
        "floor",
        "number",
        "name",
        "category",
        "subtype",
        "usable_area",
        "building_area",
        "organization",
        "status",
        "status_since",
    )
    related = staticmethod(selectors.room_related)

    def get_extra_context(self, obj) -> dict[str, Any]:
        # The over-standard badge and the explanation of the standard (compliance app).
        return {
            **super().get_extra_context(obj),
            **compliance.page_context(self.request.user, room=obj),
        }


class RoomEditView(ObjectEditView):
    queryset = Room.objects.select_related("floor__building__compound")
    form = forms.RoomForm


class RoomDeleteView(ObjectDeleteView):
    queryset = Room.objects.select_related("floor__building__compound")


# Persons
class PersonListView(ObjectListView):
    queryset = Person.objects.select_related("organization")
    filterset = filtersets.PersonFilterSet
    table = tables.PersonTable
    filter_order = ("region", "unit", "organization", "grade", "employment_status", "staffing_kind")


class PersonView(RegistryObjectView):
    queryset = Person.objects.select_related("organization")
    template_name = "registry/person.html"
    attributes = (
        "organization",
        "number",
        "name",
        "position",
        "grade",
        "rank_title",
        "staffing_kind",
        "employment_status",
        "status_changed_on",
        "phone",
    )
    related = staticmethod(selectors.person_related)

    def get_extra_context(self, obj) -> dict[str, Any]:
        # The over-standard badge and the explanation of the standard (compliance app).
        return {
            **super().get_extra_context(obj),
            **compliance.page_context(self.request.user, person=obj),
        }


class PersonEditView(ObjectEditView):
    queryset = Person.objects.all()
    form = forms.PersonForm


class PersonDeleteView(ObjectDeleteView):
    queryset = Person.objects.all()


# Posts
class PostListView(ObjectListView):
    queryset = Post.objects.select_related("person__organization", "organization")
    filterset = filtersets.PostFilterSet
    table = tables.PostTable
    filter_order = ("person", "organization", "grade", "current")


class PostView(RegistryObjectView):
    queryset = Post.objects.select_related("person__organization", "organization")
    template_name = "registry/post.html"
    attributes = ("person", "organization", "position", "grade", "started_on", "ended_on")


class PostEditView(ObjectEditView):
    queryset = Post.objects.select_related("person")
    form = forms.PostForm


class PostDeleteView(ObjectDeleteView):
    queryset = Post.objects.select_related("person")


# Occupancies
class OccupancyListView(ObjectListView):
    queryset = Occupancy.objects.select_related(
        "person__organization", "room__floor__building__compound"
    )
    filterset = filtersets.OccupancyFilterSet
    table = tables.OccupancyTable
    filter_order = ("organization", "person", "room", "current", "is_primary")


class OccupancyView(RegistryObjectView):
    queryset = Occupancy.objects.select_related(
        "person__organization", "room__floor__building__compound"
    )
    template_name = "registry/occupancy.html"
    attributes = ("person", "room", "started_on", "ended_on", "is_primary")


class OccupancyEditView(ObjectEditView):
    queryset = Occupancy.objects.select_related("person", "room__floor__building__compound")
    form = forms.OccupancyForm


class OccupancyDeleteView(ObjectDeleteView):
    queryset = Occupancy.objects.select_related("person", "room__floor__building__compound")


# Parking lots
class ParkingLotListView(ObjectListView):
    queryset = ParkingLot.objects.select_related("compound")
    filterset = filtersets.ParkingLotFilterSet
    table = tables.ParkingLotTable


class ParkingLotView(RegistryObjectView):
    queryset = ParkingLot.objects.select_related("compound__region")
    template_name = "registry/parkinglot.html"
    attributes = ("compound", "name", "kind", "spaces")


class ParkingLotEditView(ObjectEditView):
    queryset = ParkingLot.objects.select_related("compound")
    form = forms.ParkingLotForm


class ParkingLotDeleteView(ObjectDeleteView):
    queryset = ParkingLot.objects.select_related("compound")


# Canteens
class CanteenListView(ObjectListView):
    queryset = Canteen.objects.select_related("compound")
    filterset = filtersets.CanteenFilterSet
    table = tables.CanteenTable


class CanteenView(RegistryObjectView):
    queryset = Canteen.objects.select_related("compound__region")
    template_name = "registry/canteen.html"
    attributes = ("compound", "name", "usable_area", "seats")


class CanteenEditView(ObjectEditView):
    queryset = Canteen.objects.select_related("compound")
    form = forms.CanteenForm


class CanteenDeleteView(ObjectDeleteView):
    queryset = Canteen.objects.select_related("compound")
