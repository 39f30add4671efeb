"""Typed configuration and the clock: the ground every other floor stands on.

It imports nothing of dtrack's but the error codes (`dtrack.errors`).
"""
