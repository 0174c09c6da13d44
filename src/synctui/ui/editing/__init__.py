"""Editing syncs in the TUI: editors, the save preview, actions, batch updates, the journal.

Every screen here is a second face of the services the CLI uses: editors build a merge patch
over `adapter.editable(sync)` and hand it to `Session.plan_update` / `apply_plan`; batches
are `services.batch.BatchUpdate`; reverts are `services.revert`. Nothing here talks to a
vendor except through a worker that posts messages back (see ARCHITECTURE.md).

Modules are imported lazily by the screens that need them, so `synctui --help` and the main
table never pay for the editors.
"""
