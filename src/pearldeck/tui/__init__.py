"""The Textual review app: screens, widgets and styles."""
