"""The REST API: the same querysets (visible_to), services and permission rules as the admin."""
