"""Every GraphQL document synctui can send, checked against the vendors' own schemas.

The Speckle schema is the vendor's generated client schema (speckle-connectors-dui), kept in
the package as `vendors/schemas/speckle-syncs.graphql` byte for byte; the LetsBuild one
follows the vendor's Entities guide and reference types. Documents are collected from the
adapters' query modules, not listed here by hand, so a new query cannot skip the check.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
    parse,
    validate,
)

from synctui.vendors import letsbuild
from synctui.vendors.speckle import queries as speckle_queries

# Beside the clone (read-only in CI): the vendors' artefacts as checked by hand.
VENDOR_SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "vendor-schemas"


def client_sdl(name: str) -> str:
    return resources.files("synctui.vendors").joinpath("schemas", f"{name}.graphql").read_text()


def operations(module: ModuleType) -> dict[str, str]:
    """Every complete document a module holds: its registry plus any string constant that
    is an operation (so a document added without registering it is still checked)."""
    found = dict(module.DOCUMENTS)
    for name, value in vars(module).items():
        if (
            name.isupper()
            and isinstance(value, str)
            and value.lstrip().startswith(("query", "mutation"))
        ):
            found.setdefault(name, value)
    return found


def test_speckle_client_schema_is_the_vendors_own() -> None:
    """Source: specklesystems/speckle-connectors-dui lib/common/generated/gql/graphql.ts,
    as kept in shared/vendor-schemas/speckle-syncs.graphql."""
    original = VENDOR_SCHEMAS / "speckle-syncs.graphql"
    if not original.exists():
        pytest.skip("the vendor schema folder is not beside this clone")
    assert client_sdl("speckle-syncs") == original.read_text()


def test_every_speckle_document_is_registered() -> None:
    """A string constant that is an operation but missing from DOCUMENTS would be sent
    without ever being listed; the registry must hold every one."""
    registered = set(speckle_queries.DOCUMENTS.values())
    constants = {
        name
        for name, value in vars(speckle_queries).items()
        if name.isupper()
        and isinstance(value, str)
        and value.lstrip().startswith(("query", "mutation"))
    }
    assert constants and all(getattr(speckle_queries, n) in registered for n in constants)


@pytest.mark.parametrize("name", sorted(operations(speckle_queries)))
def test_speckle_documents_validate_against_the_vendor_schema(name: str) -> None:
    """Source: shared/vendor-schemas/speckle-syncs.graphql (statusData is a union read with
    inline fragments; AccSyncItem has project, not projectId)."""
    schema = build_schema(client_sdl("speckle-syncs"))
    source = operations(speckle_queries)[name]
    problems = validate(schema, parse(source))
    assert not problems, [p.message for p in problems]


def test_speckle_documents_read_the_status_union_with_fragments() -> None:
    """The union's members are read through `__typename` and inline fragments, each message
    field from the type that declares it (vendor schema, ModelIngestionStatusData)."""
    text = speckle_queries.DOCUMENTS["ProjectSyncs"]
    for needed in (
        "__typename",
        "... on HasModelIngestionStatus",
        "... on HasProgressMessage",
        "... on ModelIngestionFailedStatus",
        "errorReason",
        "... on ModelIngestionCancelledStatus",
        "cancellationMessage",
        "... on ModelIngestionInvalidStatus",
        "validationMessage",
    ):
        assert needed in text, needed
    assert "errorMessage" not in "".join(speckle_queries.DOCUMENTS.values())


def test_the_letsbuild_client_schema_follows_the_entities_guide() -> None:
    """Source: developers.letsbuild.com Entities guide and reference types (Change and
    SyncChangeSet interfaces; data: AproplanSyncEntity; Point.codeNum: String!)."""
    schema = build_schema(client_sdl("letsbuild"))
    change, change_set = schema.type_map["Change"], schema.type_map["SyncChangeSet"]
    assert isinstance(change, GraphQLInterfaceType)
    assert isinstance(change_set, GraphQLInterfaceType)
    entity = schema.type_map["AproplanSyncEntity"]
    assert isinstance(entity, GraphQLUnionType)
    assert {t.name for t in entity.types} == {"Project", "Form", "Point", "ContactDetails"}
    assert not isinstance(change.fields["data"].type, GraphQLNonNull)  # null for deletions
    point = schema.type_map["Point"]
    assert isinstance(point, GraphQLObjectType)
    assert str(point.fields["codeNum"].type) == "String!"
    assert str(point.fields["date"].type) == "DateTime!"
    query = schema.query_type
    assert query is not None
    for field in ("projectSync", "formSync", "pointSync", "contactDetailsSync"):
        answer = query.fields[field].type
        named = answer.of_type if isinstance(answer, GraphQLNonNull) else answer
        assert isinstance(named, GraphQLObjectType) and change_set in named.interfaces


@pytest.mark.parametrize("feed", sorted(letsbuild.DOCUMENTS))
def test_letsbuild_documents_validate_against_the_entities_guide_schema(feed: str) -> None:
    schema = build_schema(client_sdl("letsbuild"))
    problems = validate(schema, parse(letsbuild.DOCUMENTS[feed]))
    assert not problems, [p.message for p in problems]
