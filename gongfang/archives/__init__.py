"""Documents on any object (一房一档): categories, versions, scoped files, full-text search and the one-click dossier."""
