"""The site's URLs, discovered from the URLconf, so a test over "every page" covers pages added later."""

import itertools
from collections.abc import Callable, Iterable

from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse


def url_patterns(resolver=None, namespace: str = "") -> Iterable[tuple[str, tuple[str, ...]]]:
    """Every named URL pattern as (qualified name, names of its parameters), the admin's included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            pattern = entry.pattern
            params = getattr(pattern, "converters", None) or pattern.regex.groupindex
            yield namespace + entry.name, tuple(params)


def url_names(*, admin_site: bool = False) -> set[str]:
    """The qualified names of the site's URLs (without the admin's unless ``admin_site``)."""
    return {name for name, _ in url_patterns() if admin_site or not name.startswith("admin:")}


def admin_model_of(name: str):
    """The model behind an admin URL name such as ``admin:recommendations_actor_change``, or None."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def paths(samples: Callable[[str, str], list], *, admin_site: bool = False) -> list[tuple[str, str]]:
    """(name, path) for every URL, its parameters filled by ``samples(name, parameter)`` (every combination).

    A URL whose parameters have no sample, or that does not reverse with them, is left out: callers
    assert that the URLs they care about are in the result.
    """
    found = []
    for name, params in sorted(set(url_patterns())):
        if name.startswith("admin:") and not admin_site:
            continue
        choices = [samples(name, param) for param in params]
        if any(not values for values in choices):
            continue
        for combination in itertools.product(*choices):
            try:
                found.append((name, reverse(name, kwargs=dict(zip(params, combination, strict=True)))))
            except NoReverseMatch:
                continue
    return found
