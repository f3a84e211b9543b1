"""OpenAPI post-processing: every operation documents the error answers it can give."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong: “detail” in words; “errors” lists the filter messages (the report pages' "
    "own); a refused write names each field with its messages, as the web form shows them.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in words."},
        "errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Invalid filters: one message per filter, as the report pages give them.",
        },
    },
    "additionalProperties": True,
}

# One example per answer (and, for 400, one for reads and one for writes): the API's own messages.
ERROR_EXAMPLES = {
    "400": {
        "get": {"detail": "Invalid filter.", "errors": ["Region (UN M49): “Atlantis” is not one of the choices."]},
        "write": {
            "status": [
                "“Party (ratified)” is not on this item's scale. Choose one of: Not started, Limited, Substantial, "
                "Complete, Backsliding."
            ]
        },
    },
    "401": {"detail": "This API token was revoked; create a new one on your API tokens page."},
    "403": {"detail": "This API token can only read; create a token with the write scope to log or review updates."},
    "404": {"detail": "No Recommendation matches the given query."},
    "409": {
        "detail": "Someone else changed this update after you opened it, so your change was not saved. It is now "
        "“Verified”; reload the page to see the current version."
    },
    "429": {"detail": "Request was throttled. Expected available in 42 seconds."},
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
                example = ERROR_EXAMPLES[code]
                if code == "400":
                    example = example["get" if method == "get" else "write"]
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"},
                                "examples": {code: {"value": example, "summary": description}},
                            }
                        },
                    },
                )
    return result
