"""Account management (/accounts/manage/): the system and security administrators' pages."""

from django.urls import path

from . import manage_views as views

app_name = "manage"

urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("add/", views.UserCreateView.as_view(), name="user_add"),
    path("<int:pk>/", views.UserView.as_view(), name="user"),
    path("<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("<int:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path("<int:pk>/password/confirm/", views.ResetConfirmView.as_view(), name="user_reset_confirm"),
    path("<int:pk>/password/cancel/", views.ResetCancelView.as_view(), name="user_reset_cancel"),
    path("<int:pk>/active/", views.UserActiveView.as_view(), name="user_active"),
    path("<int:pk>/access/", views.UserAccessView.as_view(), name="user_access"),
    path("<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user_unlock"),
    path("lockouts/", views.LockoutsView.as_view(), name="lockouts"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("lookup/regions/", views.RegionLookupView.as_view(), name="lookup_regions"),
    path(
        "lookup/organizations/",
        views.OrganizationLookupView.as_view(),
        name="lookup_organizations",
    ),
]
