"""The HTTP plumbing every controller shares: representation, aliases, auth, CSRF, errors."""
