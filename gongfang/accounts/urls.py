from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", views.OTPOverviewView.as_view(), name="otp"),
    path("2fa/enroll/", views.OTPEnrollView.as_view(), name="otp_enroll"),
    path("2fa/verify/", views.OTPVerifyView.as_view(), name="otp_verify"),
    path("2fa/recovery-codes/", views.OTPRecoveryCodesView.as_view(), name="otp_codes"),
    path("2fa/disable/", views.OTPDisableView.as_view(), name="otp_disable"),
    path("sessions/", views.SessionListView.as_view(), name="sessions"),
    path("sessions/<int:pk>/end/", views.SessionEndView.as_view(), name="session_end"),
    path("sessions/end-others/", views.SessionEndOthersView.as_view(), name="sessions_end_others"),
    path("tokens/", views.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
]
