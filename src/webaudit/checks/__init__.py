"""Built-in checks. Each module is a plugin of the public hooks, listed in `plugins.DEFAULT_PLUGINS`."""
