"""Accounts: passwords, logins, server-side web sessions, one-time links, user administration.

A feature package on top of `workflow` (which it imports; workflow never
imports it). Every state change here is one transaction with its row in
`auth_events`.
"""
