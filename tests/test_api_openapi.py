"""The OpenAPI description is valid, and every operation in it answers as it says."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests.helpers import start_topic
from wiki.api import tokens


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_the_contract_operations_are_described(spec):
    page = spec["paths"]["/pages/{title}"]
    assert {"get", "put"} <= set(page)
    assert {"409", "200", "201"} <= set(page["put"]["responses"])
    required = spec["components"]["schemas"]["Page"]["required"]
    assert {"title", "text", "html", "revision"} <= set(required)


def _bodies(world) -> dict:
    """Return a request body for each write operation."""
    return {
        "putPage": {
            "text": "# Plan\n\nEdited through every operation.",
            "base_revision": world.rev,
        },
        "postTopic": {"subject": "From the API", "body": "Hello"},
        "postComment": {"body": "A reply", "parent": world.comment},
    }


def _url(spec, path: str, op: dict, world) -> str:
    """Fill in a path's parameters and the required query ones with real values."""
    values = {"title": "Plan", "topic_id": world.topic, "revision_id": world.rev}
    url = path.format(**values)
    query = [
        f"{p['name']}=plan"
        for p in op.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    ]
    return "/api/v1" + url + ("?" + "&".join(query) if query else "")


def _check_body(spec, op: dict, response) -> None:
    """Validate a JSON answer against the schema the document gives for its status."""
    described = op["responses"][str(response.status_code)]
    content = described.get("content", {})
    schema = (content.get("application/json") or content.get("application/problem+json"))["schema"]
    jsonschema.validate(
        response.get_json(), schema | {"components": spec["components"]},
        cls=jsonschema.Draft202012Validator,
    )  # fmt: skip


def test_every_operation_answers_as_described(client, spec, people, make_page):
    page = make_page("Plan", "# Plan\n\nFirst.", author=people["bob"])
    comment = start_topic("Plan", "Tone", "Too formal?", people["bob"])
    _token, raw = tokens.create_token(people["alice"], "All", ["edit", "talk"])
    world = type("World", (), {})()
    world.rev, world.topic, world.comment = page.latest_revision_id, comment.topic_id, comment.id
    bodies = _bodies(world)
    called = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            url = _url(spec, path, op, world)
            body = bodies.get(op["operationId"])
            response = client.open(
                url,
                method=method.upper(),
                json=body,
                headers={"Authorization": f"Bearer {raw}"},
            )
            assert response.status_code in (200, 201), (url, response.get_json())
            assert str(response.status_code) in op["responses"], url
            _check_body(spec, op, response)
            called.append(op["operationId"])
    assert len(called) == len(set(called)) >= 13


def test_documented_errors_are_problem_documents(client, spec):
    response = client.get("/api/v1/pages/Nowhere")
    op = spec["paths"]["/pages/{title}"]["get"]
    assert response.status_code == 404
    _check_body(spec, op, response)


def test_the_human_documentation_lists_every_operation(client, spec):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for methods in spec["paths"].values():
        for op in methods.values():
            assert f'id="{op["operationId"]}"' in page
