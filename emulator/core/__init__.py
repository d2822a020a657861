"""Provider-neutral building blocks: clock, ids, model, lifecycle, store, text and numbers."""
