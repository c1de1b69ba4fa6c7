"""Web shell: app factory, middleware, error rendering, templates, shared pages."""
