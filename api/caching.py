"""Conditional GET and Cache-Control for the API's reads.

Every successful GET carries a strong ``ETag`` (a hash of the body) and ``Last-Modified`` (the latest
recorded write: the audit trail, which every service write appends to, or an item's edit); a request whose
``If-None-Match`` (or, without it, ``If-Modified-Since``) still matches gets ``304 Not Modified`` without the
body. Anonymous reads are ``public`` for a minute (any cache may keep them); reads with a token may include the
holder's own pending updates, so they are ``private``.
"""

import hashlib

from django.db import connection
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from recommendations.models import AuditEvent, Recommendation

PUBLIC_MAX_AGE = 60


def data_changed_at():
    """When the data last changed: the newest audit event or item edit, in one round trip (two index reads)."""
    audit, items = AuditEvent._meta.db_table, Recommendation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(at) FROM {audit}), (SELECT MAX(updated_at) FROM {items})")  # noqa: S608  # nosec B608 - table names
        row = cursor.fetchone()
    # As the ORM reads a DateTimeField (SQLite returns text).
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    stamps = [convert(s, None, connection) if convert else s for s in row if s is not None]
    return max(stamps) if stamps else None


class ConditionalGetMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Labels and messages follow Accept-Language (codes and field names never do): one cached copy per language.
        patch_vary_headers(response, ["Accept", "Accept-Language", "Authorization"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            response["Cache-Control"] = "no-store"
            return response
        public = not (request.user and request.user.is_authenticated)
        response["Cache-Control"] = (
            f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, max-age=0, must-revalidate"
        )
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        response["ETag"] = etag
        changed = data_changed_at()
        last_modified = int(changed.timestamp()) if changed else None
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        conditional = get_conditional_response(
            request._request, etag=etag, last_modified=last_modified, response=response
        )
        if conditional is not response:
            for header in ("Cache-Control", "Vary", "ETag", "Last-Modified"):
                if header in response:
                    conditional[header] = response[header]
        return conditional
