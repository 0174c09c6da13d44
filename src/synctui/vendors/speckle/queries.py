"""Every GraphQL document the Speckle adapter sends, written against the vendor's own schema.

The schema is Speckle's generated client schema (`schemas/speckle-syncs.graphql`, copied
unchanged from specklesystems/speckle-connectors-dui): gql validates each document against it
before sending, and `DOCUMENTS` lists them all so a test validates every one without a run.

Two shapes matter most. `ModelIngestion.statusData` is a union of six member types, so it is
read through `__typename` and inline fragments, each message from the member that declares it
(`errorReason`, `cancellationMessage`, `validationMessage`, `progressMessage`). A legacy ACC
sync (`AccSyncItem`) names its project as `project { id name }`; it has no `projectId`.
"""

from __future__ import annotations

# --- fragments -------------------------------------------------------------------------------
_STATUS = """
fragment IngestionStatus on ModelIngestionStatusData {
  __typename
  ... on HasModelIngestionStatus { status }
  ... on HasProgressMessage { progressMessage }
  ... on ModelIngestionProcessingStatus { progress }
  ... on ModelIngestionFailedStatus { errorReason }
  ... on ModelIngestionCancelledStatus { cancellationMessage }
  ... on ModelIngestionInvalidStatus { validationMessage }
  ... on ModelIngestionSuccessStatus { versionId }
}
"""

_ITEM = (
    """
fragment SyncItemFields on SyncItem {
  id
  syncId
  createdAt
  updatedAt
  modelIngestionId
  modelIngestion { id cancellationRequested statusData { ...IngestionStatus } }
}
"""
    + _STATUS
)

_SYNC = (
    """
fragment SyncFields on Sync {
  id
  fileName
  fileId
  fileExtension
  fileFolderPath
  fileParentFolderId
  integration { slug name }
  model { id name }
  active
  context
  createdAt
  updatedAt
  author { id name }
  latestItem { ...SyncItemFields }
}
"""
    + _ITEM
)

# --- queries ---------------------------------------------------------------------------------
Q_SYNCS = (
    """
query ProjectSyncs($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    name
    syncs(limit: $limit, cursor: $cursor) { items { ...SyncFields } cursor totalCount }
  }
}
"""
    + _SYNC
)

Q_SYNC = (
    """
query ProjectSync($projectId: String!, $syncId: String!) {
  project(id: $projectId) { id name sync(id: $syncId) { ...SyncFields } }
}
"""
    + _SYNC
)

# The deprecated legacy storage: every field of AccSyncItem a person may need to find the file.
Q_LEGACY = """
query ProjectLegacySyncs($projectId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    name
    accSyncItems(limit: $limit, cursor: $cursor) {
      items {
        id
        project { id name }
        status
        accFileName
        accFileExtension
        accFileViewName
        accFileVersionIndex
        accFileVersionUrn
        accFileLineageUrn
        accFolderPath
        accRootProjectFolderUrn
        accRegion
        accHubId
        accProjectId
        accWebhookId
        model { id name }
        author { id name }
        createdAt
        updatedAt
      }
      cursor
      totalCount
    }
  }
}
"""

# The record of runs: newest first. Also what a lost trigger is verified against.
Q_HISTORY = (
    """
query SyncHistory($projectId: String!, $syncId: String!, $limit: Int, $cursor: String) {
  project(id: $projectId) {
    id
    sync(id: $syncId) {
      id
      history(limit: $limit, cursor: $cursor) {
        items { ...SyncItemFields context }
        cursor
        totalCount
      }
    }
  }
}
"""
    + _ITEM
)

# --- mutations -------------------------------------------------------------------------------
# `UpdateSyncInput` is the input the update guide documents by name. The other inputs are
# written as inline objects of plain variables: they validate against the vendor's schema
# and a renamed input type on the server cannot break them.
# A write answers with the fields it changes and the run it may start; the rest of the sync
# is already known from the read before it, which keeps a dry run's query short.
_WRITE_FIELDS = """
  id
  active
  context
  updatedAt
  latestItem { ...SyncItemFields }
"""

M_UPDATE = (
    "mutation UpdateSync($input: UpdateSyncInput!) {\n"
    "  syncMutations { update(input: $input) {" + _WRITE_FIELDS + "} }\n}\n" + _ITEM
)

M_SET_ACTIVE = (
    "mutation SetSyncActive($id: ID!, $projectId: String!, $active: Boolean!) {\n"
    "  syncMutations {\n"
    "    setActive(input: { id: $id, projectId: $projectId, active: $active }) {"
    + _WRITE_FIELDS
    + "}\n  }\n}\n"
    + _ITEM
)

M_MIGRATE = (
    """
mutation MigrateLegacySync($id: ID!, $projectId: String!) {
  syncMutations { migrateLegacy(input: { id: $id, projectId: $projectId }) { ...SyncFields } }
}
"""
    + _SYNC
)

M_DELETE = """
mutation DeleteSync($id: ID!, $projectId: String!) {
  syncMutations { delete(input: { id: $id, projectId: $projectId }) }
}
"""


def check_query(count: int) -> str:
    """One read covering every configured project (aliased), so `check` is a single call."""
    params = ", ".join(f"$p{i}: String!" for i in range(count))
    fields = " ".join(
        f"p{i}: project(id: $p{i}) {{ id name syncs(limit: 1) {{ totalCount }} }}"
        for i in range(count)
    )
    return f"query CheckProjects({params}) {{ {fields} }}"


# Every document the adapter can send, by operation name (the check for one and for several
# projects stands for all its sizes: only the number of aliases changes).
DOCUMENTS: dict[str, str] = {
    "ProjectSyncs": Q_SYNCS,
    "ProjectSync": Q_SYNC,
    "ProjectLegacySyncs": Q_LEGACY,
    "SyncHistory": Q_HISTORY,
    "UpdateSync": M_UPDATE,
    "SetSyncActive": M_SET_ACTIVE,
    "MigrateLegacySync": M_MIGRATE,
    "DeleteSync": M_DELETE,
    "CheckProjects(1)": check_query(1),
    "CheckProjects(3)": check_query(3),
}
