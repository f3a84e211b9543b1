from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("data/<str:release>/<str:name>", views.download, name="download"),
]
