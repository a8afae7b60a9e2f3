"""The Data page's parts: loading off the GUI thread, column choices, views."""
