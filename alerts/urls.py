from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.notifications, name="notifications"),
    path("alerts/read/", views.mark_read, name="mark_read"),
    path("alerts/following/", views.following, name="following"),
    path("alerts/follow/", views.follow, name="follow"),
    path("alerts/settings/", views.preferences, name="settings"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("alerts/digest-preview/", views.digest_preview, name="digest_preview"),
    path("exports/<uuid:token>/", views.export_status, name="export"),
    path("exports/<uuid:token>/download/", views.export_download, name="export_download"),
    # Atom feeds: no account needed.
    path("feeds/items/<str:code>/", feeds.ItemFeed(), name="item_feed"),
    path("feeds/actors/<str:code>/", feeds.ActorFeed(), name="actor_feed"),
    path("feeds/themes/<slug:slug>/", feeds.ThemeFeed(), name="theme_feed"),
    path("feeds/reports/", feeds.ReportFeed(), name="report_feed"),
]
