"""The terminal: Rich tables and the interactive questions."""
