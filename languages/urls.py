from django.urls import path

from . import views

app_name = "languages"

# Unprefixed: the link is the same from every language's pages.
urlpatterns = [
    path("language/<str:code>/", views.choose, name="choose"),
]
