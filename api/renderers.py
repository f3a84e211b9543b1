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


class StatusPageRenderer(JSONRenderer):
    """JSONRenderer, with the ``results`` of a page (``ExportRows``, the last key) written from the template."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results") if isinstance(data, dict) else None
        if not isinstance(rows, ExportRows) or list(data)[-1] != "results":
            return super().render(data, accepted_media_type, renderer_context)
        head = super().render({**data, "results": []}, accepted_media_type, renderer_context)
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
