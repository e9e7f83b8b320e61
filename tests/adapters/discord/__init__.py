"""Discord adapter tests.

discord.py imports the standard library's ``audioop`` (for voice, which ballotbot never uses),
and on Python 3.11-3.12 that import raises a DeprecationWarning, which the strict pytest config
turns into an error. Import discord.py once here, with only that warning silenced, before any
test module does.
"""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401
