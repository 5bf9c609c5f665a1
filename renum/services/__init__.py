"""What RENUM does, per area: no HTTP and no templates here."""
