"""The workspace on disk and in git: store, git, sync, merge, keys and the key store, privacy."""
