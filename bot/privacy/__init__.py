"""Privacy: what the bot keeps about members, for how long, and how it stays out of the logs.

- :mod:`bot.privacy.pseudonyms`: a stable, salted name for a member (``m-3fa2c9d01b7e``) that
  operators can follow through the logs without learning who it is.
- :mod:`bot.privacy.logs`: the member a piece of work is for, and the log records that would
  name them rewritten to name the pseudonym instead.
- :mod:`bot.privacy.retention`: the one rule that says when a ballot ended and when its members'
  rows go.
- :mod:`bot.privacy.report`: counts of what is stored, for ``admin privacy`` and
  ``ballotbot privacy-report``.
"""
