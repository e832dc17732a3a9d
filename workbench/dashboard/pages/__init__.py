"""One module per dashboard page; each has ``render(ctx)`` and draws only what ``data`` computed."""
