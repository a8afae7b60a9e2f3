"""The Search page's parts: the settings box, the live view, progress and command words."""
