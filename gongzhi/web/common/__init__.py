"""The pages no domain owns: home, login and logout, the inbox, the personal-data access log."""
