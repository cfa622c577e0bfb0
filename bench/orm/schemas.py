"""The article shape every framework returns: id, title, content, author, created_at."""

FIELDS = ["id", "title", "content", "author", "created_at"]
