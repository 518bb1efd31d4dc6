"""Read rules in one place: the list queries of each resource for a user, the task filters the
admin and the API share, and the loaders that attach related rows to a page of objects.
Visibility itself stays on the model QuerySets (`visible_to`)."""
