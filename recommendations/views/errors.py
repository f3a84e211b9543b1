"""The 404 page: in the site's layout, with a search already filled in with what the address asked for."""

from django.shortcuts import render


def not_found(request, exception=None):
    tail = request.path.rstrip("/").rsplit("/", 1)[-1]
    guess = tail.replace("-", " ").replace("_", " ").replace("+", " ")[:100]
    return render(request, "404.html", {"guess": guess}, status=404)
