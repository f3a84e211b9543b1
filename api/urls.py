from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from languages.patterns import language_prefixed, redirected_from_prefixes

from . import pages, unknown, views

app_name = "api"

router = SimpleRouter()
router.register("items", views.ItemViewSet, basename="item")
router.register("sections", views.SectionViewSet, basename="section")
router.register("paragraphs", views.ParagraphViewSet, basename="paragraph")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("addressees", views.AddresseeViewSet, basename="addressee")
router.register("instruments", views.InstrumentViewSet, basename="instrument")
router.register("sdg-targets", views.SDGTargetViewSet, basename="sdg-target")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("updates", views.UpdateViewSet, basename="update")

urlpatterns = [
    path("api/v1/statuses/", views.StatusListView.as_view(), name="statuses"),
    path("api/v1/statuses/summary/", views.SummaryView.as_view(), name="summary"),
    path("api/v1/", include(router.urls)),
    # After every endpoint: anything else under /api/v1/ is a 404 in JSON (api/unknown.py).
    re_path(r"^api/v1/.*/$", unknown.UnknownAddress.as_view()),  # unnamed: nothing links to it
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar's vendored files (no CDN); its start-up script is a separate
    # file (the "split" view), so the Content-Security-Policy needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # The documentation has one address, in English: /fr/api/docs/ (and the schema it reads) redirect there.
    redirected_from_prefixes("api/docs/", "api/schema/"),
    # The tokens page is a page: in the visitor's language (/fr/account/api-tokens/); the API above never is.
    language_prefixed(
        path("account/api-tokens/", pages.tokens, name="tokens"),
        path("account/api-tokens/<int:pk>/revoke/", pages.revoke, name="revoke"),
    ),
]
