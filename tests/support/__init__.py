"""What every test and benchmark builds on: one conversation harness and its shared parts.

- :mod:`tests.support.conversation`: :class:`Conversation` — ``say()``, ``as_organiser()``,
  ``deliver()``, ``later()`` — and the builders the ``chat``, ``branch`` and ``union``
  fixtures use.
- :mod:`tests.support.platforms`: :class:`FakePlatform`, a recording sender with scripted
  trouble.
- :mod:`tests.support.ballots`: the ballots tests add, as an organiser types them.
- :mod:`tests.support.slack_requests`, :mod:`tests.support.discord_requests`: what the
  platforms send the adapters (recorded bodies, signatures) and readers of what they get back.
- :mod:`tests.support.recording`: the real core, noting every request it is asked.
- :mod:`tests.support.postgres`, :mod:`tests.support.deployment`, :mod:`tests.support.ports`:
  throw-away servers and processes on loopback.
- :mod:`tests.support.privacy`: a branch whose members use every part of the bot, and ways to
  look for them afterwards.

conftest modules hold only fixtures built from these; no test imports a conftest.
"""
