"""ballotbot core: platform-neutral. Never imports slack_bolt, discord or an adapter."""
