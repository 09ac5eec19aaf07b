"""The Textual dashboard: app.py (App: global keys, themes, palette), main_screen.py (the
workspace's keys, over workspace_screen.py), the actions it runs, panels/ and screens/. Imports
point down only: nothing below tui/dashboard/ imports from here."""
