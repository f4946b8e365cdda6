"""The API's OpenAPI 3.1 description, built from one table of operations.

tests/test_api_openapi.py validates it and calls every operation in it against the app.
"""

from flask import current_app, url_for

from ..site import current_site

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PROBLEM = {
    "description": "A problem document (RFC 9457) saying what went wrong.",
    "content": {"application/problem+json": {"schema": _ref("Problem")}},
}
TITLE = {
    "name": "title",
    "in": "path",
    "required": True,
    "description": 'The page title, spaces as underscores; "/" makes subpages.',
    "schema": {"type": "string"},
}
CURSOR = {
    "name": "cursor",
    "in": "query",
    "description": "The next_cursor of the previous answer.",
    "schema": {"type": "string"},
}
LIMIT = {
    "name": "limit",
    "in": "query",
    "description": "How many items to return (at most 200).",
    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "Any unique string: a retry with the same key gets the first answer (a day).",
    "schema": {"type": "string", "maxLength": 255},
}


def _listing(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "next_cursor": {"type": ["string", "null"]},
        },
    }


def _errors(*codes: int) -> dict:
    return {str(code): PROBLEM for code in codes}


def _read(summary: str, schema: dict, *, params=(), errors=(404,), op: str) -> dict:
    return {
        "get": {
            "operationId": op,
            "summary": summary,
            "parameters": list(params),
            "responses": {
                "200": _json(schema, "OK"),
                "304": {"description": "Not modified (If-None-Match matched the ETag)."},
                **_errors(400, 401, 429, *errors),
            },
        }
    }


def _write(method: str, summary: str, body: dict, ok: dict, *, op: str, params=()) -> dict:
    return {
        method: {
            "operationId": op,
            "summary": summary,
            "parameters": [*params, IDEMPOTENCY],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {**ok, **_errors(400, 401, 403, 404, 409, 413, 422, 429)},
        }
    }


def _paths() -> dict:
    page_body = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "description": "The whole page, in Markdown."},
            "summary": {
                "type": "string",
                "maxLength": current_app.config["MAX_SUMMARY_LENGTH"],
                "description": "What changed and why; a longer one is refused (400).",
            },
            "minor": {"type": "boolean"},
            "base_revision": {
                "type": ["integer", "null"],
                "description": "The revision the text started from (or send If-Match).",
            },
        },
    }
    saved = {
        "200": _json(_ref("Saved"), "Saved (or merged with edits made since the base)."),
        "201": _json(_ref("Saved"), "The page was created."),
    }
    if_match = {
        "name": "If-Match",
        "in": "header",
        "description": 'The revision the text started from, as an ETag: "123".',
        "schema": {"type": "string"},
    }
    put = _write("put", "Create or edit a page", page_body, saved, op="putPage",
                 params=[TITLE, if_match])  # fmt: skip
    put["put"]["responses"]["428"] = PROBLEM
    post_body = {
        "type": "object",
        "required": ["subject", "body"],
        "properties": {"subject": {"type": "string"}, "body": {"type": "string"}},
    }
    reply_body = {
        "type": "object",
        "required": ["body"],
        "properties": {"body": {"type": "string"}, "parent": {"type": ["integer", "null"]}},
    }
    posted = {"201": _json(_ref("Posted"), "Posted.")}
    topic_id = {"name": "topic_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    revision_id = {
        "name": "revision_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    number = {"type": "integer"}
    return {
        "/me": _read("Who the request acts as", _ref("Me"), op="getMe", errors=()),
        "/pages/{title}": _read(
            "Read a page",
            _ref("Page"),
            params=[
                TITLE,
                {"name": "stable", "in": "query", "schema": {"type": "boolean"}},
                {
                    "name": "absolute_urls",
                    "in": "query",
                    "schema": {"type": "boolean"},
                    "description": "Links and images in html with the site's address "
                    "(https://wiki.example.com/wiki/…), for HTML shown on another site.",
                },
            ],
            op="getPage",
        )
        | put,
        "/pages/{title}/history": _read(
            "List a page's revisions",
            _listing("Revision"),
            params=[TITLE, CURSOR, LIMIT],
            op="getPageHistory",
        ),  # fmt: skip
        "/pages/{title}/diff": _read(
            "Compare two revisions",
            _ref("Diff"),
            params=[
                TITLE,
                {"name": "from", "in": "query", "schema": number},
                {"name": "to", "in": "query", "schema": number},
            ],
            op="getPageDiff",
        ),
        "/revisions/{revision_id}": _read(
            "Read one revision", _ref("RevisionText"), params=[revision_id], op="getRevision"
        ),
        "/recent": _read(
            "List recent changes",
            _listing("Change"),
            params=[CURSOR, LIMIT, {"name": "days", "in": "query", "schema": number}],
            op="getRecentChanges",
            errors=(),
        ),
        "/search": _read(
            "Search pages",
            _listing("SearchHit"),
            params=[
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "talk", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
                CURSOR,
            ],
            op="searchPages",
            errors=(),
        ),
        "/pages/{title}/talk": _read(
            "List a page's talk topics",
            _listing("Topic"),
            params=[TITLE, CURSOR, LIMIT],
            op="getTalkTopics",
        )  # fmt: skip
        | _write("post", "Start a topic", post_body, posted, op="postTopic", params=[TITLE]),
        "/topics/{topic_id}": _read(
            "Read a topic and its comments",
            _ref("TopicWithComments"),
            params=[topic_id, CURSOR, LIMIT],
            op="getTopic",
        ),  # fmt: skip
        "/topics/{topic_id}/comments": _write(
            "post", "Post a comment", reply_body, posted, op="postComment", params=[topic_id]
        ),
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }


def _schemas() -> dict:
    string, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    maybe_string, maybe_int = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
    revision = {
        "type": "object",
        "required": ["id", "created_at", "kind", "size"],
        "properties": {
            "id": integer,
            "parent": maybe_int,
            "created_at": {"type": "string", "format": "date-time"},
            "author": maybe_string,
            "summary": string,
            "minor": boolean,
            "kind": string,
            "size": integer,
            "size_change": integer,
            # Only for a revision that needed review; null when it was published at once.
            "review": {
                "type": ["string", "null"],
                "enum": ["waiting", "accepted", "rejected", None],
            },
        },
    }
    return {
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": string,
                "title": string,
                "status": integer,
                "detail": string,
                "conflicts": {"type": "array", "items": _ref("Passage")},
                "latest_revision": maybe_int,
                "base_revision": maybe_int,
            },
        },
        "Passage": {
            "type": "object",
            "properties": {
                "number": integer,
                "base": string,
                "yours": string,
                "theirs": string,
                "before": string,
                "after": string,
            },
        },
        "Me": {
            "type": "object",
            "properties": {
                "user": maybe_string,
                "role": maybe_string,
                "token": maybe_string,
                "scopes": {"type": "array", "items": string},
                "expires_at": {
                    "type": ["string", "null"],
                    "description": "When the token stops working (null: never, or no token).",
                },
            },
        },
        "Page": {
            "type": "object",
            "required": ["title", "text", "html", "revision"],
            "properties": {
                "title": string,
                "text": string,
                "html": string,
                "revision": integer,
                "updated_at": string,
                "author": maybe_string,
                "summary": string,
                "size": integer,
                "redirect_to": maybe_string,
                "published": {
                    "type": "boolean",
                    "description": "Whether readers without an account read this version "
                    "(false: it waits for review; ask with stable=1 for the published one).",
                },
                "published_revision": {"type": ["integer", "null"]},
                "url": string,
                "api_url": string,
            },
        },
        "Saved": {
            "type": "object",
            "required": ["title", "revision", "changed", "created", "merged"],
            "properties": {
                "title": string,
                "revision": integer,
                "changed": boolean,
                "created": boolean,
                "merged": boolean,
                "merged_with": maybe_int,
                "published": boolean,
                "url": string,
                "api_url": string,
            },
        },
        "Revision": revision,
        "RevisionText": {
            "allOf": [
                revision,
                {"type": "object", "properties": {"title": string, "text": string}},
            ]
        },
        "Diff": {
            "type": "object",
            "required": ["title", "to", "unified"],
            "properties": {
                "title": string,
                "from": maybe_int,
                "to": integer,
                "added": integer,
                "removed": integer,
                "unified": string,
            },
        },
        "Change": {
            "type": "object",
            "required": ["type", "id", "created_at", "title"],
            "properties": {
                "type": {"type": "string", "enum": ["edit", "comment"]},
                "id": integer,
                "created_at": string,
                "title": string,
                "author": maybe_string,
                "url": string,
            },
        },
        "SearchHit": {
            "type": "object",
            "properties": {
                "title": string,
                "snippet": string,
                "topic": maybe_int,
                "comment": maybe_int,
                "url": string,
                "api_url": string,
            },
        },
        "Topic": {
            "type": "object",
            "required": ["id", "subject", "comments"],
            "properties": {
                "id": integer,
                "subject": string,
                "author": maybe_string,
                "created_at": string,
                "last_activity_at": string,
                "comments": integer,
                "locked": boolean,
                "resolved": boolean,
                "url": string,
            },
        },
        "Comment": {
            "type": "object",
            "required": ["id", "topic", "created_at"],
            "properties": {
                "id": integer,
                "topic": integer,
                "parent": maybe_int,
                "author": maybe_string,
                "created_at": string,
                "edited_at": maybe_string,
                "deleted": boolean,
                "hidden": boolean,
                "body": maybe_string,
                "html": maybe_string,
            },
        },
        "TopicWithComments": {
            "allOf": [
                _ref("Topic"),
                {
                    "type": "object",
                    "properties": {
                        "title": string,
                        "items": {"type": "array", "items": _ref("Comment")},
                        "next_cursor": maybe_string,
                    },
                },
            ]
        },
        "Posted": {
            "type": "object",
            "required": ["topic", "comment"],
            "properties": {"topic": _ref("Topic"), "comment": _ref("Comment")},
        },
    }


def document() -> dict:
    """Return the OpenAPI document of this wiki's API."""
    site = current_site().name
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site} API",
            "version": VERSION,
            "description": (
                "Read and write the wiki's pages and talk. Authenticate with a personal "
                "access token from your preferences: `Authorization: Bearer <token>`. "
                "Lists are paginated by cursor; reads carry an ETag; writes accept an "
                "Idempotency-Key. Errors are problem documents (RFC 9457)."
            ),
        },
        "servers": [{"url": url_for("api.openapi_document", _external=True).rsplit("/", 1)[0]}],
        "security": [{"token": []}, {}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (scopes: read, edit, talk).",
                }
            },
        },
    }
