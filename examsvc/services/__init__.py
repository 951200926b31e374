"""Use cases: one function each, one commit each. Views call these, never the session."""
