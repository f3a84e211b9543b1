from django.urls import path

from . import views

app_name = "atlas"

urlpatterns = [
    path("reports/map/", views.world_map_page, name="map"),
    path("reports/map.svg", views.world_map_svg, name="map_svg"),
    path("reports/map.png", views.world_map_png, name="map_png"),
    path("compare/", views.compare_page, name="compare"),
    path("compare.csv", views.compare_csv, name="compare_csv"),
    path("compare/region/<str:code>/", views.compare_region, name="compare_region"),
]
