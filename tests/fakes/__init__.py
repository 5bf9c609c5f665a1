"""Faithful fakes of the outside services, served over real HTTP on loopback."""
