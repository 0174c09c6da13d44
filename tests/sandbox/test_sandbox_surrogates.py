"""A lone surrogate in a write never breaks a simulator.

JSON may carry `"\\ud83d"` (half an emoji, cut by a client or a JavaScript backend): Python
reads it into a str that UTF-8 cannot encode. A simulator that stored one and then rendered
every later answer with a strict UTF-8 encoder failed with 500 on every read from then on.
JavaScript backends answer it as the JSON escape it came in as (ES2019 well-formed
`JSON.stringify`), and so do the simulators: the value reads back as it was written.
"""

from __future__ import annotations

import json

import httpx

from synctui.sandbox.server import Sandbox

HALF_EMOJI = "Site \ud83d survey"  # the JSON text "Site \\ud83d survey"
RAW = json.dumps(HALF_EMOJI)  # ensure_ascii: the escape, valid JSON text


def test_signalsmith_put_with_a_lone_surrogate(sandbox: Sandbox) -> None:
    info = sandbox.info()["signalsmith"]
    ws = info["ids"]["workspaces"][0]
    headers = {
        "Authorization": f"Bearer {info['tokens']['rw']}",
        "X-Workspace-ID": ws,
        "Content-Type": "application/json",
    }
    url = f"{info['base_url']}/api/v1/workspaces/{ws}/syncs"
    with httpx.Client(headers=headers, timeout=10) as http:
        listed = http.get(url)
        assert listed.status_code == 200
        sync_id = listed.json()[0]["id"] if isinstance(listed.json(), list) else None
        assert sync_id
        put = http.put(f"{url}/{sync_id}", content=f'{{"name": {RAW}}}'.encode())
        assert put.status_code == 200, put.text
        assert json.loads(put.content)["name"] == HALF_EMOJI
        again = http.get(url)
        assert again.status_code == 200, again.text
        assert json.loads(http.get(f"{url}/{sync_id}").content)["name"] == HALF_EMOJI


def test_polytomic_put_with_a_lone_surrogate(sandbox: Sandbox) -> None:
    info = sandbox.info()["polytomic"]
    headers = {
        "Authorization": f"Bearer {info['tokens']['rw']}",
        "X-Polytomic-Version": "2025-09-18",
        "Content-Type": "application/json",
    }
    with httpx.Client(base_url=info["base_url"], headers=headers, timeout=10) as http:
        sync = http.get("/api/syncs").json()["data"][0]
        full = http.get(f"/api/syncs/{sync['id']}").json()["data"]
        body = json.dumps({**full, "name": HALF_EMOJI})  # ensure_ascii: escapes survive
        put = http.put(f"/api/syncs/{sync['id']}", content=body.encode())
        assert put.status_code == 200, put.text
        assert http.get("/api/syncs").status_code == 200
        got = json.loads(http.get(f"/api/syncs/{sync['id']}").content)["data"]
        assert got["name"] == HALF_EMOJI


def test_speckle_context_with_a_lone_surrogate(sandbox: Sandbox) -> None:
    info = sandbox.info()["speckle"]
    project = info["ids"]["projects"][0]
    headers = {"Authorization": f"Bearer {info['tokens']['rw']}"}
    url = f"{info['base_url']}/graphql"
    list_query = (
        "query($p: String!) { project(id: $p) { syncs(limit: 5) { items { id context } } } }"
    )
    with httpx.Client(headers=headers, timeout=10) as http:
        listed = http.post(url, json={"query": list_query, "variables": {"p": project}})
        assert listed.status_code == 200, listed.text
        item = listed.json()["data"]["project"]["syncs"]["items"][0]
        mutation = (
            "mutation($input: UpdateSyncInput!) { syncMutations { update(input: $input) "
            "{ id context } } }"
        )
        variables = {
            "input": {"id": item["id"], "projectId": project, "context": {
                **item["context"], "viewName": HALF_EMOJI,
            }},
        }  # fmt: skip
        body = json.dumps({"query": mutation, "variables": variables})
        updated = http.post(
            url, content=body.encode(), headers={"Content-Type": "application/json"}
        )
        assert updated.status_code == 200, updated.text
        again = http.post(url, json={"query": list_query, "variables": {"p": project}})
        assert again.status_code == 200, again.text
        items = json.loads(again.content)["data"]["project"]["syncs"]["items"]
        assert any(i["context"].get("viewName") == HALF_EMOJI for i in items)
