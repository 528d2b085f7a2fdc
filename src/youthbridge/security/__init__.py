"""Accounts, sessions, second factors, access policy, keys and the audit log.

Import the module you need (`youthbridge.security.permissions`, `.audit`, ...);
importing `youthbridge.security.tables` registers every security table on
`CommonBase` before a schema is created.
"""
