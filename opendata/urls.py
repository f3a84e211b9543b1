from django.urls import path

from languages.patterns import language_prefixed

from . import views

app_name = "opendata"

urlpatterns = [
    # The files keep one address for every client (a machine contract); the page about them is in each language.
    path("data/<str:release>/<str:name>", views.download, name="download"),
    language_prefixed(path("data/", views.data_page, name="data")),
]
