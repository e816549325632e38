"""Modal dialogs: edit a pearl, confirm a deletion."""
