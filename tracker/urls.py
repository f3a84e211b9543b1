from django.contrib import admin
from django.urls import include, path

from recommendations import views
from recommendations.views.accounts import ThrottledPasswordResetView

admin.site.site_header = "Migration & development tracker — administration"
admin.site.site_title = "Tracker admin"
admin.site.index_title = "Items, themes, instruments and actors"

urlpatterns = [
    path("", include("recommendations.urls")),
    path("", include("atlas.urls")),
    path("", include("alerts.urls")),
    path("", include("bulk.urls")),
    # Django's account views, the password reset throttled (it comes first, so it wins the URL).
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
