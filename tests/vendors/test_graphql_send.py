"""What the GraphQL plumbing sends: gql's own text for each document, validated once.

A feed catch-up sends the same query hundreds of times, so the text is printed and the
document validated against the local schema on first use only; neither may change what is
sent, and a document the schema rejects must still be refused every time.
"""

from __future__ import annotations

import gql.client as gql_client
import pytest
from gql import GraphQLRequest, gql
from graphql import GraphQLError

from synctui.vendors import letsbuild
from synctui.vendors.graphql import (
    _PrintedRequest,
    _ValidatingOnceClient,
    document,
    load_sdl,
)
from synctui.vendors.speckle import queries as speckle_queries

DOCUMENTS = {
    **{f"letsbuild.{k}": v for k, v in letsbuild.DOCUMENTS.items()},
    **{f"speckle.{k}": v for k, v in speckle_queries.DOCUMENTS.items()},
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_text_sent_is_gqls_own_print(name: str) -> None:
    source = DOCUMENTS[name]
    variables = {"cursor": "c1", "projectId": "p"}
    sent = _PrintedRequest(source, variables).payload
    assert sent == GraphQLRequest(document(source), variable_values=variables).payload
    assert _PrintedRequest(source, {}).payload == GraphQLRequest(gql(source)).payload


def test_a_document_is_validated_once_and_a_bad_one_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: list[object] = []
    real = gql_client.validate

    def counting(schema: object, doc: object) -> list[GraphQLError]:
        runs.append(doc)
        return real(schema, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(gql_client, "validate", counting)
    client = _ValidatingOnceClient(schema=load_sdl("letsbuild"))
    good = _PrintedRequest(letsbuild.QUERIES["point"], {"cursor": None})
    for _ in range(3):
        client.validate(good)
    assert len(runs) == 1
    bad = GraphQLRequest(gql("query Nope { pointSync(cursor: null) { nothingHere } }"))
    for _ in range(2):
        with pytest.raises(GraphQLError):
            client.validate(bad)
    assert len(runs) == 3
