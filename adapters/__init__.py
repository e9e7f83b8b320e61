"""Adapters: each translates one platform's events into core requests and renders replies."""
