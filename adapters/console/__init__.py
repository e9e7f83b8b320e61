"""The console adapter: the embedded default, no account needed."""
