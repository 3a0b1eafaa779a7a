"""A component as the agent's API shows it (Alloy's web/api `componentInfo`).

Both the component API (app.py) and the UI's graph (ui.py) describe components
this way. Arguments and exports go through `schema.encode`, which prints
secrets as `(secret)`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.responses import PlainTextResponse, Response

from alloylite.runtime.controller import ComponentState, Controller
from alloylite.runtime.schema import encode


def module_not_found() -> Response:
    """Alloy's answer to an unknown module ID (web/api `ErrModuleNotFound`, a 500)."""
    return PlainTextResponse("module not found\n", status_code=500)


def component_info(ctl: Controller, state: ComponentState, detail: bool) -> dict[str, Any]:
    """The JSON of one component; `detail` adds its arguments and exports."""
    node = state.node
    info: dict[str, Any] = {
        "name": node.name,
        "type": "block",
        "localID": node.id,
        "moduleID": ctl.module_id,
        "label": node.block.label or "",
        "referencesTo": ctl.dependencies(node.id),
        "referencedBy": ctl.dependants(node.id),
        "health": {
            "state": state.health.value,
            "message": state.message,
            "updatedTime": datetime.fromtimestamp(state.updated, UTC).isoformat(),
        },
    }
    created = ctl.created_modules(node.id)
    if created:  # a custom component instance or a foreach: the modules it runs
        info["createdModuleIDs"] = created
    if detail:
        info["arguments"] = encode(state.arguments) if state.arguments is not None else None
        info["exports"] = encode(state.exports)
        debug_info = getattr(state.instance, "debug_info", None)
        if callable(debug_info):  # a component's own status (e.g. scrape targets)
            info["debugInfo"] = debug_info()
    return info
