"""Modules and config blocks: `declare`, `argument`, `export`, `import.*`, `foreach`, services.

Cut the way Alloy's runtime cuts them (spec alloy-profiling-components.md §7): a module body
is linked by the same loader as the root config, in a `ModuleContext` that says what kind of
body it is (root, declare, foreach) and which custom components it can see (`Namespace`).
A custom component instance and a foreach instance run a child `Controller` over their body.
"""
