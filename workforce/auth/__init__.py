"""Who may see and change what: users, roles, council scope, tokens, sign-in, audit."""
