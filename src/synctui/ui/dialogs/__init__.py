"""The TUI's dialogs: small modal screens that ask one question and answer with the choice.

Kept apart from the screens that open them so any screen can ask without importing another
screen: the confirmation focused on Cancel, its wider form for a remedy's requests, and
the choice a save offers when the sync changed on the server.
"""
