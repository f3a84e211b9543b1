from django.db import connection
from django.http import HttpResponse
from django.urls import path

from tracker.urls import urlpatterns as tracker_urlpatterns


def bare(request):
    """The cheapest Django view: the floor every page pays (middleware, routing, response)."""
    return HttpResponse("ok", content_type="text/plain")


def bare_write(request):
    """A bare view that commits one small row: the database's floor for any write (fsync included)."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_write DEFAULT VALUES")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bare__/", bare), path("__bare_write__/", bare_write), *tracker_urlpatterns]
