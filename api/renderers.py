"""The status list's JSON, written row by row from a template (``StatusPageRenderer``).

A page holds thousands of rows of the 17 export columns, every value a string. Written as dicts by the JSON
encoder, building the dicts and encoding their keys cost more than the rest of the request's Python;
here each row is the template of the columns with its values encoded in place (the encoder's own string
escaping), which gives the same JSON.
"""

import json
from json.encoder import encode_basestring

from rest_framework.renderers import JSONRenderer

from recommendations.reports import EXPORT_COLUMNS

ROW_TEMPLATE = "{" + ",".join(f"{json.dumps(column)}:%s" for column in EXPORT_COLUMNS) + "}"


class ExportRows(list):
    """A page's rows: lists of EXPORT_COLUMNS values (strings), written as objects keyed by the columns."""


class JsonObjects(list):
    """A page's rows already written as JSON objects (UTF-8 bytes, as this renderer writes them: by the
    database, ``reports.status_page_json``)."""


class StatusPageRenderer(JSONRenderer):
    """JSONRenderer, with the ``results`` of a page (the last key) written from the template (``ExportRows``) or
    joined as they come (``JsonObjects``)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results") if isinstance(data, dict) else None
        if not isinstance(rows, ExportRows | JsonObjects) or list(data)[-1] != "results":
            return super().render(data, accepted_media_type, renderer_context)
        head = super().render({**data, "results": []}, accepted_media_type, renderer_context)
        if isinstance(rows, JsonObjects):
            if not head.endswith(b"[]}"):  # indented on request: the objects parsed and written by the encoder
                data = {**data, "results": [json.loads(row) for row in rows]}
                return super().render(data, accepted_media_type, renderer_context)
            if not rows:
                return head
            # The page's bytes copied once: the head glued to the first object, the end to the last. (U+2028 and
            # U+2029 are escaped in the objects already, as JSONRenderer escapes them.)
            parts = [head[: -len(b"]}")] + rows[0], *rows[1:]]
            parts[-1] += b"]}"
            return b",".join(parts)
        try:
            if not head.endswith(b"[]}"):  # indented on request (Accept: application/json; indent=2)
                raise TypeError
            body = ",".join([ROW_TEMPLATE % tuple(map(encode_basestring, row)) for row in rows])
        except TypeError:  # or a value that is not a string (never from the export): the encoder's own way
            data = {**data, "results": [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows]}
            return super().render(data, accepted_media_type, renderer_context)
        # As JSONRenderer writes them: U+2028 and U+2029 escaped, for JavaScript parsers that take them for
        # line ends.
        body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return head[: -len(b"]}")] + body.encode() + b"]}"
