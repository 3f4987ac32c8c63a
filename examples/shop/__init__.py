"""A small async service: users in SQL (SQLAlchemy's AsyncSession), friendships in a graph."""
