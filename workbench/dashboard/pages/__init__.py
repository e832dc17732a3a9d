"""One module per dashboard page; each has ``render(ctx)`` and draws only what the cached views (:mod:`workbench.dashboard.cache`) computed.
Pages import ``ui``, ``cache``, ``access``, ``views``, ``charts``, never each other."""
