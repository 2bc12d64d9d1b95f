"""The ground: every word shown (labels, he/en) and the bidi layer."""
