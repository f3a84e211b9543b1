"""OpenAPI post-processing: every operation documents the error answers it can give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong: “detail” in words; “errors” lists the filter messages (the report pages' "
    "own); a refused write names each field with its messages, as the web form shows them.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid filter, cursor or input (the messages say which).",
    "401": "A token is needed, or the token is unknown, revoked or expired.",
    "403": "Not allowed: a read-only token, or a rule of the tracker (e.g. filing for another organization).",
    "404": "Not found, or not visible to you (another organization's pending update).",
    "409": "The update changed since you read it (give the current version).",
    "429": "Too many requests: wait the seconds the Retry-After header gives.",
}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                if code == "409" and method == "get":
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
